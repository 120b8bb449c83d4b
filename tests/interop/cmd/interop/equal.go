package main

import (
	"fmt"
	"reflect"
)

// difference returns "" when got and want are equal as Go's own client sees
// values: reflect.DeepEqual, except that a nil slice or map equals an empty
// one. (gob never sends an empty slice and a C++ plugin has no nil: Go's
// server turns an empty map into an empty map and plugrpcd into nil, and
// over JSON a nil slice comes back from plugrpcd as an empty one.) It
// returns the path of the first difference otherwise.
func difference(got, want interface{}) string {
	return diffValues(reflect.ValueOf(got), reflect.ValueOf(want), "")
}

func diffValues(g, w reflect.Value, path string) string {
	if g.Type() != w.Type() {
		return fmt.Sprintf("%s: type %v, want %v", path, g.Type(), w.Type())
	}
	mismatch := func() string {
		return fmt.Sprintf("%s: got %#v, want %#v", path, g.Interface(), w.Interface())
	}
	switch g.Kind() {
	case reflect.Pointer:
		if g.IsNil() || w.IsNil() {
			if g.IsNil() != w.IsNil() {
				return mismatch()
			}
			return ""
		}
		return diffValues(g.Elem(), w.Elem(), path)
	case reflect.Slice, reflect.Array:
		if g.Len() != w.Len() {
			return fmt.Sprintf("%s: %d elements, want %d: got %#v, want %#v", path, g.Len(), w.Len(), g.Interface(), w.Interface())
		}
		for i := 0; i < g.Len(); i++ {
			if d := diffValues(g.Index(i), w.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if g.Len() != w.Len() {
			return fmt.Sprintf("%s: %d entries, want %d: got %#v, want %#v", path, g.Len(), w.Len(), g.Interface(), w.Interface())
		}
		iter := w.MapRange()
		for iter.Next() {
			gv := g.MapIndex(iter.Key())
			if !gv.IsValid() {
				return fmt.Sprintf("%s: key %#v missing", path, iter.Key().Interface())
			}
			if d := diffValues(gv, iter.Value(), fmt.Sprintf("%s[%#v]", path, iter.Key().Interface())); d != "" {
				return d
			}
		}
		return ""
	case reflect.Struct:
		for i := 0; i < g.NumField(); i++ {
			if d := diffValues(g.Field(i), w.Field(i), path+"."+g.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Float32, reflect.Float64:
		// With ==: exact, but -0 is 0 (gob leaves a zero field out, Go's
		// own encoder too, so -0 comes back as 0 from either server).
		if g.Float() != w.Float() {
			return mismatch()
		}
		return ""
	case reflect.String:
		if a, b := g.String(), w.String(); a != b {
			return path + ": " + stringDiff(a, b)
		}
		return ""
	default:
		if !reflect.DeepEqual(g.Interface(), w.Interface()) {
			return mismatch()
		}
		return ""
	}
}

// stringDiff shows where two strings part, with a little context.
func stringDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := i - 40
	if from < 0 {
		from = 0
	}
	clip := func(s string) string {
		to := i + 40
		if to > len(s) {
			to = len(s)
		}
		return s[from:to]
	}
	return fmt.Sprintf("strings part at byte %d of %d/%d: got …%q…, want …%q…", i, len(got), len(want), clip(got), clip(want))
}
