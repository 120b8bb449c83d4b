package main

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"plugrpc.test/interop/kitchen"
)

// A Kitchen call: the reply it must get is what Go's Kitchen computes
// locally for the same argument.
type kitchenCase struct {
	label  string
	method string
	args   interface{}
}

func kitchenCases() []kitchenCase {
	zero := kitchen.Everything{}
	return []kitchenCase{
		{"zero value", "Echo", &zero},
		{"maximum values", "Echo", everythingMax()},
		{"minimum and negative values", "Echo", everythingMin()},
		{"empty, non-nil slices and maps", "Echo", everythingEmpty()},
		{"text and bytes", "Echo", everythingText()},
		{"nested structs", "Echo", everythingNested()},
		{"large values", "Echo", everythingLarge()},
		{"describe maximum values", "Describe", everythingMax()},
		{"describe minimum values", "Describe", everythingMin()},
		{"describe text and bytes", "Describe", everythingText()},
		{"describe nested structs", "Describe", everythingNested()},

		{"sum", "Sum", []int64{1, 2, 3, -10}},
		{"sum of nothing", "Sum", []int64{}},
		{"sum of nil", "Sum", []int64(nil)},
		{"sum wraps", "Sum", []int64{math.MaxInt64, 1}},
		{"sum of extremes", "Sum", []int64{math.MinInt64, math.MaxInt64, -1}},
		{"unsigned sum wraps", "SumUnsigned", []uint64{math.MaxUint64, 2}},
		{"unsigned sum of large values", "SumUnsigned", []uint64{1 << 63, 1 << 62, 1}},
		{"concat", "Concat", []string{"a", "β", "\x00c", "", "\"quoted\"\n"}},
		{"concat of nothing", "Concat", []string{}},
		{"stats", "Stats", []float64{3, -1.5, 2.25}},
		{"stats of extremes", "Stats", []float64{math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64}},
		{"stats of nothing", "Stats", []float64{}},
		{"reverse", "Reverse", []byte{0, 1, 2, 255}},
		{"reverse every byte", "Reverse", allBytes()},
		{"reverse nothing", "Reverse", []byte{}},
		{"keys", "Keys", map[string]int64{"b": 1, "a": 2, "": 3, "ü": -4}},
		{"keys of nothing", "Keys", map[string]int64{}},
		{"invert", "Invert", map[int64]string{-1: "minus", 1 << 40: "big", 0: "zero", math.MinInt64: "min", math.MaxInt64: "max"}},
		{"invert a duplicate", "Invert", map[int64]string{1: "same", 2: "same"}},
		{"grow a tree", "Grow", tree()},
		{"grow an empty tree", "Grow", &kitchen.Tree{}},
		{"fail", "Fail", &kitchen.FailArgs{Message: "boom: ünïcödé, \"quoted\", tab\t."}},
		{"fail without a message", "Fail", &kitchen.FailArgs{}},
		{"echo after failures", "Echo", everythingMax()},
	}
}

// kitchenScenario calls every Kitchen method with values of every type and
// checks each reply against Go's Kitchen computed locally.
func kitchenScenario(t *target, transport string) []string {
	return runKitchenCases(t, transport, kitchenCases())
}

// floatsScenario checks that float64 and float32 values cross plugrpcd
// exactly, as they cross Go's gob and encoding/json: bit patterns spread
// over the whole range, the largest and smallest of each width.
func floatsScenario(t *target, transport string) []string {
	return runKitchenCases(t, transport, []kitchenCase{
		{"float bit patterns", "Echo", everythingFloats()},
		{"describe float bit patterns", "Describe", everythingFloats()},
		{"float extremes", "Echo", everythingFloatExtremes()},
		{"describe float extremes", "Describe", everythingFloatExtremes()},
		{"limits", "Limits", kitchen.Empty{}},
		{"stats of awkward decimals", "Stats", []float64{0.1, 0.2, 0.3, 1e-300, 1e300, -2.5e-7, 1.0 / 3}},
	})
}

func runKitchenCases(t *target, transport string, cases []kitchenCase) []string {
	client, err := t.dial(transport)
	if err != nil {
		return []string{fmt.Sprintf("FAIL dial %s: %v", t.name, err)}
	}
	defer client.Close()
	local := reflect.ValueOf(new(kitchen.Kitchen))

	var lines []string
	for _, c := range cases {
		method := local.MethodByName(c.method)
		replyType := method.Type().In(1).Elem()
		args := reflect.ValueOf(c.args)
		if args.Kind() != reflect.Pointer {
			p := reflect.New(args.Type())
			p.Elem().Set(args)
			args = p
		}
		want := reflect.New(replyType)
		var wantErr error
		if e := method.Call([]reflect.Value{args, want})[0]; !e.IsNil() {
			wantErr = e.Interface().(error)
		}

		got := reflect.New(replyType)
		gotErr := client.Call("Kitchen."+c.method, c.args, got.Interface())

		label := fmt.Sprintf("Kitchen.%s, %s", c.method, c.label)
		switch {
		case wantErr != nil && gotErr == nil:
			lines = append(lines, fmt.Sprintf("FAIL %s: no error; want %q", label, wantErr))
		case wantErr != nil && gotErr.Error() != wantErr.Error():
			lines = append(lines, fmt.Sprintf("FAIL %s: error %q; want %q", label, gotErr, wantErr))
		case wantErr != nil:
			lines = append(lines, fmt.Sprintf("%s: error: %v", label, gotErr))
		case gotErr != nil:
			lines = append(lines, fmt.Sprintf("FAIL %s: error %q", label, gotErr))
		default:
			if d := difference(got.Elem().Interface(), want.Elem().Interface()); d != "" {
				lines = append(lines, fmt.Sprintf("FAIL %s: reply%s", label, d))
			} else {
				lines = append(lines, fmt.Sprintf("%s: ok", label))
			}
		}
	}
	return lines
}

func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func everythingMax() *kitchen.Everything {
	return &kitchen.Everything{
		Flag: true,
		I8:   math.MaxInt8, I16: math.MaxInt16, I32: math.MaxInt32, I64: math.MaxInt64,
		U8: math.MaxUint8, U16: math.MaxUint16, U32: math.MaxUint32, U64: math.MaxUint64,
		F32: 1e38, F64: math.MaxFloat64,
		Text:     "max",
		Bytes:    []byte{0xff, 0xfe},
		Ints:     []int64{math.MaxInt64, math.MaxInt32, 1 << 40, 1},
		Uints:    []uint64{math.MaxUint64, math.MaxUint32 + 1, 1 << 63},
		Strings:  []string{"one", "two"},
		Floats:   []float64{math.MaxFloat64, 1.5, math.Pi},
		Floats32: []float32{1e38, 0.1, float32(math.Pi)},
		Triple:   [3]int32{math.MaxInt32, 1, 2},
		Quad:     [4]uint8{255, 254, 253, 252},
		Switches: [2]bool{true, true},
		Counts:   map[string]int64{"max": math.MaxInt64, "one": 1},
		Names:    map[int64]string{math.MaxInt64: "max", 1: "one"},
		Flags:    map[uint8]bool{255: true, 1: true},
		Groups:   map[string][]string{"g": {"a", "b"}},
		Matrix:   [][]int32{{math.MaxInt32}, {1, 2}},
		Origin:   kitchen.Point{X: math.MaxInt32, Y: math.MaxInt32, Label: "far"},
		Path:     []kitchen.Point{{X: 1, Y: 2, Label: "a"}},
		Places:   map[string]kitchen.Point{"corner": {X: math.MaxInt32, Y: 1}},
	}
}

func everythingMin() *kitchen.Everything {
	return &kitchen.Everything{
		I8: math.MinInt8, I16: math.MinInt16, I32: math.MinInt32, I64: math.MinInt64,
		U8: 1, U16: 1, U32: 1, U64: 1,
		F32: -1e38, F64: -math.SmallestNonzeroFloat64,
		Text:     "-",
		Bytes:    []byte{0},
		Ints:     []int64{math.MinInt64, -1, 0, -(1 << 40)},
		Uints:    []uint64{0, 0},
		Strings:  []string{"", ""},
		Floats:   []float64{-math.MaxFloat64, -0.5, math.SmallestNonzeroFloat64, 0},
		Floats32: []float32{-1e38, math.SmallestNonzeroFloat32, -0.1},
		Triple:   [3]int32{math.MinInt32, -1, 0},
		Quad:     [4]uint8{0, 0, 0, 1},
		Switches: [2]bool{false, true},
		Counts:   map[string]int64{"min": math.MinInt64, "zero": 0},
		Names:    map[int64]string{math.MinInt64: "min", -1: "minus one", 0: ""},
		Flags:    map[uint8]bool{0: false},
		Groups:   map[string][]string{"": {""}},
		Matrix:   [][]int32{{math.MinInt32, -1}},
		Origin:   kitchen.Point{X: math.MinInt32, Y: -1, Label: "-"},
		Path:     []kitchen.Point{{X: -1, Y: -2}, {}, {X: math.MinInt32}},
		Places:   map[string]kitchen.Point{"origin": {}, "sw": {X: -5, Y: -5, Label: "south-west"}},
	}
}

func everythingEmpty() *kitchen.Everything {
	return &kitchen.Everything{
		Bytes:    []byte{},
		Ints:     []int64{},
		Uints:    []uint64{},
		Strings:  []string{},
		Floats:   []float64{},
		Floats32: []float32{},
		Counts:   map[string]int64{},
		Names:    map[int64]string{},
		Flags:    map[uint8]bool{},
		Groups:   map[string][]string{"none": {}, "nil": nil},
		Matrix:   [][]int32{{}, nil, {}},
		Path:     []kitchen.Point{},
		Places:   map[string]kitchen.Point{},
	}
}

func everythingText() *kitchen.Everything {
	return &kitchen.Everything{
		Text:    "héllo, 世界 🌍 \x00 nul \"quotes\" \\ back\\slash\n\t\r\u2028 \x7f",
		Bytes:   allBytes(),
		Strings: []string{"日本語", "\x00", "{\"json\": [1, 2]}", "<html>&amp;</html>", strings.Repeat("é", 100)},
		Counts:  map[string]int64{"ключ": 1, "": 2, "\x00": 3, "\"": 4},
		Names:   map[int64]string{7: "семь", -7: "минус семь"},
		Groups:  map[string][]string{"emoji": {"🎉", "👍🏽"}},
		Origin:  kitchen.Point{Label: "起点"},
		Places:  map[string]kitchen.Point{"東京": {X: 139, Y: 35, Label: "Tōkyō"}},
	}
}

func everythingNested() *kitchen.Everything {
	return &kitchen.Everything{
		Flag:     true,
		Switches: [2]bool{true, false},
		Groups:   map[string][]string{"a": {"x", "y", "z"}, "b": {"w"}, "c": {}},
		Matrix:   [][]int32{{1, 2, 3}, {}, {4}, {5, 6}},
		Origin:   kitchen.Point{X: 3, Y: 4, Label: "origin"},
		Path:     []kitchen.Point{{X: 1, Y: 1, Label: "p1"}, {X: 2, Y: 4, Label: "p2"}, {X: 3, Y: 9, Label: "p3"}},
		Places: map[string]kitchen.Point{
			"home": {X: 10, Y: 20, Label: "home"},
			"work": {X: -10, Y: 5, Label: "work"},
			"void": {},
		},
	}
}

func everythingLarge() *kitchen.Everything {
	e := &kitchen.Everything{
		Text:   strings.Repeat("large text ", 6000),
		Bytes:  make([]byte, 100_000),
		Ints:   make([]int64, 20_000),
		Counts: map[string]int64{},
		Path:   make([]kitchen.Point, 2_000),
	}
	for i := range e.Bytes {
		e.Bytes[i] = byte(i * 7)
	}
	for i := range e.Ints {
		e.Ints[i] = int64(i) * -123_456_789
	}
	for i := 0; i < 1000; i++ {
		e.Counts[fmt.Sprintf("key-%04d", i)] = int64(i)
	}
	for i := range e.Path {
		e.Path[i] = kitchen.Point{X: int32(i), Y: int32(-i), Label: fmt.Sprint(i)}
	}
	return e
}

// everythingFloats holds finite floats of every magnitude, from bit
// patterns spread over the whole range: each must come back bit for bit.
func everythingFloats() *kitchen.Everything {
	e := &kitchen.Everything{F64: 0.1, F32: 0.1}
	x := uint64(0x9e3779b97f4a7c15)
	for len(e.Floats) < 500 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		if f := math.Float64frombits(x); !math.IsNaN(f) && !math.IsInf(f, 0) {
			e.Floats = append(e.Floats, f)
		}
		if f := math.Float32frombits(uint32(x >> 32)); !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) {
			e.Floats32 = append(e.Floats32, f)
		}
	}
	for i := 1; i <= 100; i++ {
		e.Floats = append(e.Floats, float64(i)/10, 1/float64(i), math.Pow(10, float64(i*3-150)))
		e.Floats32 = append(e.Floats32, float32(i)/10, 1/float32(i))
	}
	return e
}

func everythingFloatExtremes() *kitchen.Everything {
	return &kitchen.Everything{
		F32: math.MaxFloat32, F64: math.MaxFloat64,
		Floats: []float64{math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64,
			-math.SmallestNonzeroFloat64, 0x1p-1022, math.Nextafter(1, 2), math.Nextafter(1, 0), 1e23, 5e-324 * 3},
		Floats32: []float32{math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32,
			-math.SmallestNonzeroFloat32, 0x1p-126, math.Nextafter32(1, 2), 16777217, 3.4e38},
		Places: map[string]kitchen.Point{"max": {X: math.MaxInt32}},
	}
}

func tree() *kitchen.Tree {
	leaf := func(name string, v ...int32) kitchen.Leaf { return kitchen.Leaf{Name: name, Values: v} }
	return &kitchen.Tree{
		Name: "oak",
		Root: kitchen.Branch{Name: "trunk", Leaves: []kitchen.Leaf{leaf("t1", 1, 2), leaf("t2")}},
		Branches: []kitchen.Branch{
			{Name: "left", Leaves: []kitchen.Leaf{leaf("l1", -1), leaf("l2", 2, 3, 4), leaf("l3")}},
			{Name: "bare"},
			{Name: "right", Leaves: []kitchen.Leaf{leaf("r1", math.MaxInt32, math.MinInt32)},
				Index: map[string]kitchen.Leaf{"old": leaf("old", 9)}},
		},
		ById: map[int32]kitchen.Branch{-1: {Name: "stump"}},
	}
}
