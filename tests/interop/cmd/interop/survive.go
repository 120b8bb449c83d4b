package main

import (
	"fmt"
	"sync"

	"plugrpc.test/interop/arith"
	"plugrpc.test/interop/kitchen"
)

// surviveScenario shows that a connection outlives every kind of failed
// call: method errors, unknown services and methods, ill-formed names,
// undecodable arguments — one after another, then many at once — with good
// calls in between that must still succeed.
func surviveScenario(t *target, transport string) []string {
	client, err := t.dial(transport)
	if err != nil {
		return []string{fmt.Sprintf("FAIL dial %s: %v", t.name, err)}
	}
	defer client.Close()

	// An argument that does not decode: over gob a struct with no field of
	// Args, over JSON a string. (Its error text is Go's codec's own; the
	// mismatch scenario compares those.)
	type Wrong struct{ Z string }
	var undecodable interface{} = &Wrong{"z"}
	if transport == "jsonrpc" {
		undecodable = "not an Args"
	}
	failing := []struct {
		method string
		args   interface{}
	}{
		{"Arith.Divide", &arith.Args{A: 1, B: 0}},
		{"Arith.Nope", &arith.Args{}},
		{"Nope.Multiply", &arith.Args{}},
		{"NoDot", &arith.Args{}},
		{"Kitchen.Fail", &kitchen.FailArgs{Message: "planned failure"}},
		{"Kitchen.Stats", []float64{}},
		{"Arith.Multiply", undecodable},
	}

	var lines []string
	good := func(i int) string {
		var product int
		err := client.Call("Arith.Multiply", &arith.Args{A: i, B: 3}, &product)
		if err != nil || product != 3*i {
			return fmt.Sprintf("FAIL Multiply(%d, 3) = %d, %v", i, product, err)
		}
		return ""
	}
	// One at a time: each failure, then a good call.
	for round := 0; round < 3; round++ {
		for i, f := range failing {
			var r int
			err := client.Call(f.method, f.args, &r)
			switch {
			case round > 0:
			case f.args == undecodable && err != nil:
				lines = append(lines, fmt.Sprintf("%s, undecodable argument: an error", f.method))
			default:
				lines = append(lines, fmt.Sprintf("%s: error: %v", f.method, err))
			}
			if err == nil {
				lines = append(lines, fmt.Sprintf("FAIL %s: no error", f.method))
			}
			if why := good(round*100 + i); why != "" {
				lines = append(lines, why)
			}
		}
	}
	// Many at once: failures and good calls interleaved on the connection.
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := 0
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			why := ""
			if i%2 == 0 {
				f := failing[(i/2)%len(failing)]
				var r int
				if err := client.Call(f.method, f.args, &r); err == nil {
					why = "FAIL " + f.method + ": no error"
				}
			} else {
				why = good(i)
			}
			if why != "" {
				mu.Lock()
				bad++
				lines = append(lines, why)
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	lines = append(lines, fmt.Sprintf("100 concurrent calls, half failing: %d wrong", bad))
	if why := good(1000); why != "" {
		lines = append(lines, why)
	} else {
		lines = append(lines, "the connection still works")
	}
	return lines
}
