package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"plugrpc.test/interop/kitchen"
)

// specialScenario sends what gob can carry and JSON cannot — NaN, ±Inf,
// -0, float32 ones too, strings and map keys that are not UTF-8 — through
// Kitchen's methods and prints what comes back, bit for bit (a NaN as NaN:
// its payload is not kept across the plugin boundary, see abi.h). Over
// jsonrpc.Dial Go's own encoding/json decides: -0 crosses, stray bytes
// become \ufffd on the client's side, NaN and infinities cannot be sent,
// and a reply holding one cannot be encoded (Go's server then sends
// nothing: see goOnly in main.go).
func specialScenario(t *target, transport string) []string {
	client, err := t.dial(transport)
	if err != nil {
		return []string{fmt.Sprintf("FAIL dial %s: %v", t.name, err)}
	}
	defer client.Close()
	negZero := math.Copysign(0, -1)
	nan32 := float32(math.NaN())
	inf32 := float32(math.Inf(1))
	var lines []string
	call := func(label, method string, args, reply interface{}, show func() string) {
		done := client.Go("Kitchen."+method, args, reply, nil).Done
		select {
		case c := <-done:
			if c.Error != nil {
				lines = append(lines, fmt.Sprintf("%s: error %q", label, c.Error.Error()))
			} else {
				lines = append(lines, fmt.Sprintf("%s: %s", label, show()))
			}
		case <-time.After(3 * time.Second):
			lines = append(lines, fmt.Sprintf("%s: no reply within 3s", label))
		}
	}

	var e kitchen.Everything
	floats := &kitchen.Everything{
		F32:      -inf32,
		F64:      negZero, // a zero field: gob leaves it out, so it comes back 0
		Floats:   []float64{negZero, math.Inf(1), math.Inf(-1), 5e-324, -0.1},
		Floats32: []float32{float32(negZero), inf32, -inf32, math.SmallestNonzeroFloat32},
		Places:   map[string]kitchen.Point{"origin": {}},
	}
	if transport != "jsonrpc" {
		floats.Floats = append(floats.Floats, math.NaN())
		floats.Floats32 = append(floats.Floats32, nan32)
		floats.F64 = math.NaN()
	} else {
		floats.F32, floats.F64 = 1.5, negZero // Go's jsonrpc client cannot send an infinity
		floats.Floats = []float64{negZero, 5e-324, -0.1, 1e21, 1e-7}
		floats.Floats32 = []float32{float32(negZero), math.SmallestNonzeroFloat32, 0.1}
	}
	call("Echo, special floats", "Echo", floats, &e, func() string { return showFloats(&e) })

	text := &kitchen.Everything{
		Text:    "a\xffb\xc3(\xed\xa0\x80\xf4\x90\x80\x80",
		Strings: []string{"\x80", "\xef\xbf\xbd", "ok \xc0\xaf"},
		Counts:  map[string]int64{"k\xff": 1, "k\xfe": 2, "k\xef\xbf\xbd": 3, "k": 4},
		Places:  map[string]kitchen.Point{"p\xc0": {X: 1, Label: "\xf5"}},
	}
	var t2 kitchen.Everything
	call("Echo, strings and keys that are not UTF-8", "Echo", text, &t2, func() string { return showText(&t2) })
	var keys []string
	call("Keys that differ only in bytes that are not UTF-8", "Keys", map[string]int64{"k\xff": 1, "k\xfe": 2, "k": 3},
		&keys, func() string { return fmt.Sprintf("%q", keys) })
	var described string
	call("Describe, -0 and stray bytes", "Describe", &kitchen.Everything{Floats: []float64{negZero},
		Floats32: []float32{float32(negZero)}, Text: "\xff\xfe"}, &described, func() string { return described })
	var ok bool
	call("Fail with a message that is not UTF-8", "Fail", &kitchen.FailArgs{Message: "bad \xff\xfe byte"}, &ok,
		func() string { return "no error" })
	var st kitchen.Stats
	show := func() string { return fmt.Sprintf("Min %s Max %s Mean %s", f64(st.Min), f64(st.Max), f64(st.Mean)) }
	call("Stats whose mean is +Inf", "Stats", []float64{math.MaxFloat64, math.MaxFloat64}, &st, show)
	st = kitchen.Stats{}
	call("Stats whose mean is NaN", "Stats", []float64{math.Inf(1), math.Inf(-1)}, &st, show)
	var after kitchen.Everything
	call("Echo after them", "Echo", &kitchen.Everything{F64: 2.5, Text: "fine"}, &after,
		func() string { return fmt.Sprintf("F64 %s Text %q", f64(after.F64), after.Text) })
	return lines
}

// A float64 as its bits; any NaN as NaN.
func f64(f float64) string {
	if math.IsNaN(f) {
		return "NaN"
	}
	return fmt.Sprintf("%016x", math.Float64bits(f))
}

func f32(f float32) string {
	if f != f {
		return "NaN"
	}
	return fmt.Sprintf("%08x", math.Float32bits(f))
}

func showFloats(e *kitchen.Everything) string {
	var b strings.Builder
	fmt.Fprintf(&b, "F32 %s F64 %s Floats [", f32(e.F32), f64(e.F64))
	for i, f := range e.Floats {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(f64(f))
	}
	b.WriteString("] Floats32 [")
	for i, f := range e.Floats32 {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(f32(f))
	}
	b.WriteString("]")
	return b.String()
}

func showText(e *kitchen.Everything) string {
	var keys []string
	for k := range e.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var counts []string
	for _, k := range keys {
		counts = append(counts, fmt.Sprintf("%q:%d", k, e.Counts[k]))
	}
	var places []string
	for k, p := range e.Places {
		places = append(places, fmt.Sprintf("%q:%q", k, p.Label))
	}
	sort.Strings(places)
	return fmt.Sprintf("Text %q Strings %q Counts {%s} Places {%s}", e.Text, e.Strings, strings.Join(counts, " "),
		strings.Join(places, " "))
}
