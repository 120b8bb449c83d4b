package main

import (
	"encoding/gob"
	"fmt"
	"math"
	"reflect"

	"plugrpc.test/interop/arith"
	"plugrpc.test/interop/kitchen"
)

// mismatchScenario sends arguments whose Go types do not fit the method's:
// a struct with the same name and field names but other kinds (Go's gob is
// strict: int, uint and float do not mix), values out of range for the
// receiver's width, structs with no matching field. Go's server answers
// each with a gob error text and keeps the connection; so must plugrpcd.
// After every call a good one shows the connection still works.
func mismatchScenario(t *target, transport string) []string {
	gob.Register(kitchen.Point{})
	client, err := t.dial(transport)
	if err != nil {
		return []string{fmt.Sprintf("FAIL dial %s: %v", t.name, err)}
	}
	defer client.Close()
	var lines []string
	report := func(label string, reply interface{}, err error) {
		if err != nil {
			lines = append(lines, fmt.Sprintf("%s: error: %v", label, err))
		} else {
			lines = append(lines, fmt.Sprintf("%s: %v", label, reflectValue(reply)))
		}
	}
	// An argument the server cannot take: an error reply, and the
	// connection goes on.
	try := func(label, method string, args interface{}, reply interface{}) {
		report(label, reply, client.Call(method, args, reply))
		var product int
		if err := client.Call("Arith.Multiply", &arith.Args{A: 6, B: 7}, &product); err != nil || product != 42 {
			lines = append(lines, fmt.Sprintf("FAIL then Multiply(6, 7) = %d, %v", product, err))
		}
	}
	// A reply the client cannot take: its own decoder fails, and Go's
	// client then shuts the connection down. Each on a connection of its own.
	tryReply := func(label, method string, args interface{}, reply interface{}) {
		c, err := t.dial(transport)
		if err != nil {
			lines = append(lines, fmt.Sprintf("FAIL dial %s: %v", t.name, err))
			return
		}
		defer c.Close()
		report(label, reply, c.Call(method, args, reply))
	}

	{
		type Args struct {
			A int
			B uint
		}
		var r int
		try("Args.B uint for int", "Arith.Multiply", &Args{3, 4}, &r)
	}
	{
		type Args struct {
			A uint
			B int
		}
		var r int
		try("Args.A uint for int", "Arith.Multiply", &Args{3, 4}, &r)
	}
	{
		type Args struct {
			A int
			B float64
		}
		var r int
		try("Args.B float64 for int", "Arith.Multiply", &Args{3, 4}, &r)
	}
	{
		type Args struct {
			A string
			B int
		}
		var r int
		try("Args.A string for int", "Arith.Multiply", &Args{"3", 4}, &r)
	}
	{
		type Args struct {
			A int
			B uint
		}
		var r int
		try("Args.B uint for int, zero (left out)", "Arith.Multiply", &Args{3, 0}, &r)
	}
	{
		type Args struct{ C, D int }
		var r int
		try("no matching field", "Arith.Multiply", &Args{3, 4}, &r)
	}
	{
		type Args struct {
			B     int
			Extra string
			A     int
		}
		var r int
		try("extra field, other order", "Arith.Multiply", &Args{B: 4, Extra: "x", A: 3}, &r)
	}
	{
		type Args struct{ B int }
		var r int
		try("missing field", "Arith.Multiply", &Args{4}, &r)
	}
	// Fields the method does not have are skipped, whatever their type.
	{
		type Args struct {
			A, B  int
			Extra interface{}
		}
		var r int
		try("extra interface field holding an int", "Arith.Multiply", &Args{3, 4, 5}, &r)
		try("extra interface field holding a []string", "Arith.Multiply", &Args{3, 4, []string{"x", "y"}}, &r)
		try("extra interface field holding a struct", "Arith.Multiply", &Args{3, 4, kitchen.Point{X: 1, Label: "p"}}, &r)
		try("extra interface field, nil", "Arith.Multiply", &Args{3, 4, nil}, &r)
	}
	{
		type Node struct {
			Value int
			Next  *Node
		}
		type Args struct {
			List *Node
			A, B int
		}
		var r int
		try("extra recursive list field", "Arith.Multiply", &Args{&Node{1, &Node{2, &Node{3, nil}}}, 3, 4}, &r)
	}
	{
		type Args struct {
			A, B  int
			C     complex128
			M     map[kitchen.Point][]float32
			Grid  [2][3]int8
			Bytes []byte
			Deep  map[string]map[int][]kitchen.Point
		}
		var r int
		try("extra fields of every kind", "Arith.Multiply", &Args{A: 3, B: 4, C: complex(1, -2),
			M:    map[kitchen.Point][]float32{{X: 1}: {1.5}},
			Grid: [2][3]int8{{1, 2, 3}, {-1, -2, -3}}, Bytes: []byte("xyz"),
			Deep: map[string]map[int][]kitchen.Point{"a": {1: {{X: 2}}}}}, &r)
	}
	{
		type Args struct {
			A *int
			B **int
		}
		a, b := 3, 4
		pb := &b
		var r int
		try("pointer fields", "Arith.Multiply", &Args{&a, &pb}, &r)
		try("nil pointer fields", "Arith.Multiply", &Args{nil, nil}, &r)
	}
	{
		type Args struct {
			A int8
			B int32
		}
		var r int
		try("narrower ints", "Arith.Multiply", &Args{-3, 1 << 30}, &r)
	}
	{
		var r int
		try("int for Args", "Kitchen.Sum", 17, &r)
	}
	{
		var r int64
		try("[]uint64 for []int64", "Kitchen.Sum", []uint64{1, 2}, &r)
	}
	{
		var r int64
		try("[]int32 for []int64", "Kitchen.Sum", []int32{1, 2}, &r)
	}
	{
		var r uint64
		try("[]int64 for []uint64", "Kitchen.SumUnsigned", []int64{1, 2}, &r)
	}
	{
		var r []byte
		try("string for []byte", "Kitchen.Reverse", "abc", &r)
	}
	{
		var r []byte
		try("[]uint8 as []byte", "Kitchen.Reverse", []uint8{1, 2, 3}, &r)
	}
	{
		var r []string
		try("map[string]int32 for map[string]int64", "Kitchen.Keys", map[string]int32{"a": 1}, &r)
	}
	{
		var r []string
		try("map[int64]int64 for map[string]int64", "Kitchen.Keys", map[int64]int64{1: 1}, &r)
	}
	{
		type Everything struct{ U64 int64 }
		var r kitchen.Everything
		try("Everything.U64 int64 for uint64", "Kitchen.Echo", &Everything{-1}, &r)
	}
	{
		type Everything struct{ I8 int64 }
		var r kitchen.Everything
		try("Everything.I8 = 300", "Kitchen.Echo", &Everything{300}, &r)
	}
	{
		type Everything struct{ U8 uint64 }
		var r kitchen.Everything
		try("Everything.U8 = 256", "Kitchen.Echo", &Everything{256}, &r)
	}
	{
		type Everything struct{ U32 uint64 }
		var r kitchen.Everything
		try("Everything.U32 = 1<<32", "Kitchen.Echo", &Everything{1 << 32}, &r)
	}
	{
		type Everything struct{ F32 float64 }
		var r kitchen.Everything
		try("Everything.F32 = 1e300", "Kitchen.Echo", &Everything{1e300}, &r)
	}
	{
		type Everything struct{ F32 float64 }
		var r kitchen.Everything
		try("Everything.F32 = 0.1 (float64)", "Kitchen.Echo", &Everything{0.1}, &r)
	}
	{
		type Everything struct{ F64 float32 }
		var r kitchen.Everything
		try("Everything.F64 float32", "Kitchen.Echo", &Everything{math.MaxFloat32}, &r)
	}
	{
		type Everything struct{ Triple [4]int32 }
		var r kitchen.Everything
		try("Everything.Triple [4]int32", "Kitchen.Echo", &Everything{}, &r)
	}
	{
		type Everything struct{ Quad [4]int8 }
		var r kitchen.Everything
		try("Everything.Quad [4]int8", "Kitchen.Echo", &Everything{}, &r)
	}
	{
		type Everything struct{ Names map[string]string }
		var r kitchen.Everything
		try("Everything.Names map[string]string", "Kitchen.Echo", &Everything{map[string]string{"1": "one"}}, &r)
	}
	{
		type Everything struct{ Flags map[int]bool }
		var r kitchen.Everything
		try("Everything.Flags map[int]bool", "Kitchen.Echo", &Everything{map[int]bool{1: true}}, &r)
	}
	{
		type Everything struct{ Flags map[uint64]bool }
		var r kitchen.Everything
		try("Everything.Flags key 256", "Kitchen.Echo", &Everything{map[uint64]bool{256: true}}, &r)
	}
	{
		type Point struct{ X, Y float64 }
		type Everything struct{ Origin Point }
		var r kitchen.Everything
		try("Everything.Origin.X float64", "Kitchen.Echo", &Everything{Point{1, 2}}, &r)
	}
	{
		type Point struct{ Z int }
		type Everything struct{ Path []Point }
		var r kitchen.Everything
		try("Everything.Path without a matching field", "Kitchen.Echo", &Everything{[]Point{{1}}}, &r)
	}
	{
		type Everything struct{ Origin int }
		var r kitchen.Everything
		try("Everything.Origin int for a struct", "Kitchen.Echo", &Everything{5}, &r)
	}
	{
		type Everything struct{ Path []int }
		var r kitchen.Everything
		try("Everything.Path []int for []Point", "Kitchen.Echo", &Everything{[]int{5}}, &r)
	}
	{
		type Everything struct{ Bytes string }
		var r kitchen.Everything
		try("Everything.Bytes string for []byte", "Kitchen.Echo", &Everything{"abc"}, &r)
	}
	{
		type Everything struct{ Bytes []int32 }
		var r kitchen.Everything
		try("Everything.Bytes []int32 for []byte", "Kitchen.Echo", &Everything{[]int32{1}}, &r)
	}
	{
		type Everything struct {
			Flag   int
			Hidden string
		}
		var r kitchen.Everything
		try("Everything.Flag int for bool", "Kitchen.Echo", &Everything{1, "x"}, &r)
	}
	{
		// The client's decoder reports these, from the types the server
		// sent.
		var r string
		tryReply("an int reply into a string", "Arith.Multiply", &arith.Args{A: 1, B: 2}, &r)
	}
	{
		var r uint64
		tryReply("an int reply into a uint64", "Arith.Multiply", &arith.Args{A: 1, B: 2}, &r)
	}
	{
		type Quotient struct{ Quo, Rem uint }
		var r Quotient
		tryReply("a Quotient into uint fields", "Arith.Divide", &arith.Args{A: 7, B: 2}, &r)
	}
	max := &kitchen.Everything{U64: math.MaxUint64, I64: math.MaxInt64, Text: "x"}
	{
		type Everything struct{ U64 int64 }
		var r Everything
		tryReply("Everything.U64 into int64", "Kitchen.Echo", max, &r)
	}
	{
		type Everything struct{ I64 int8 }
		var r Everything
		tryReply("Everything.I64 into int8", "Kitchen.Echo", max, &r)
	}
	{
		type Everything struct{ Text []byte }
		var r Everything
		tryReply("Everything.Text into []byte", "Kitchen.Echo", max, &r)
	}
	{
		type Everything struct{ Unknown int }
		var r Everything
		tryReply("Everything into a struct with no matching field", "Kitchen.Echo", max, &r)
	}
	return lines
}

// reflectValue prints what a reply pointer points to.
func reflectValue(p interface{}) string {
	if e, ok := p.(*kitchen.Everything); ok {
		return kitchen.Describe(*e)
	}
	return fmt.Sprintf("%+v", reflect.ValueOf(p).Elem().Interface())
}
