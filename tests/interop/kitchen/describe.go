package kitchen

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Describe is the canonical text of a value, exactly as kitchen.cpp's
// describe() prints it: bool true/false; integers in decimal; floats as
// their IEEE bits in hex; strings and []byte as hex bytes; slices and arrays
// [a,b]; maps {k:v,...} in key order; structs {Name=v Name=v}. Nil and empty
// print alike.
func Describe(v interface{}) string {
	var b strings.Builder
	describe(&b, reflect.ValueOf(v))
	return b.String()
}

func describe(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32:
		fmt.Fprintf(b, "f%08x", math.Float32bits(float32(v.Float())))
	case reflect.Float64:
		fmt.Fprintf(b, "d%016x", math.Float64bits(v.Float()))
	case reflect.String:
		fmt.Fprintf(b, "x%x", v.String())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			fmt.Fprintf(b, "x%x", v.Bytes())
			return
		}
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			describe(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool {
			a, c := keys[i], keys[j]
			switch a.Kind() {
			case reflect.String:
				return a.String() < c.String()
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				return a.Int() < c.Int()
			default:
				return a.Uint() < c.Uint()
			}
		})
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			describe(b, k)
			b.WriteByte(':')
			describe(b, v.MapIndex(k))
		}
		b.WriteByte('}')
	case reflect.Struct:
		b.WriteByte('{')
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v.Type().Field(i).Name)
			b.WriteByte('=')
			describe(b, v.Field(i))
		}
		b.WriteByte('}')
	default:
		panic("kitchen: cannot describe " + v.Type().String())
	}
}
