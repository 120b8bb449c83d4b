package kitchen

import (
	"errors"
	"math"
	"sort"
)

// Kitchen is the Go twin of the C++ Kitchen service.
type Kitchen int

func (*Kitchen) Echo(in *Everything, out *Everything) error {
	*out = *in
	return nil
}

func (*Kitchen) Describe(in *Everything, out *string) error {
	*out = Describe(*in)
	return nil
}

func (*Kitchen) Sum(in *[]int64, out *int64) error {
	*out = 0
	for _, v := range *in {
		*out += v
	}
	return nil
}

func (*Kitchen) SumUnsigned(in *[]uint64, out *uint64) error {
	*out = 0
	for _, v := range *in {
		*out += v
	}
	return nil
}

func (*Kitchen) Concat(in *[]string, out *string) error {
	*out = ""
	for _, s := range *in {
		*out += s
	}
	return nil
}

func (*Kitchen) Stats(in *[]float64, out *Stats) error {
	v := *in
	if len(v) == 0 {
		return errors.New("kitchen: no values")
	}
	out.Count = int64(len(v))
	out.Min, out.Max = v[0], v[0]
	sum := 0.0
	for _, x := range v {
		out.Min = math.Min(out.Min, x)
		out.Max = math.Max(out.Max, x)
		sum += x
	}
	out.Mean = sum / float64(len(v))
	return nil
}

func (*Kitchen) Reverse(in *[]byte, out *[]byte) error {
	r := make([]byte, len(*in))
	for i, b := range *in {
		r[len(r)-1-i] = b
	}
	*out = r
	return nil
}

func (*Kitchen) Keys(in *map[string]int64, out *[]string) error {
	keys := []string{}
	for k := range *in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	*out = keys
	return nil
}

func (*Kitchen) Invert(in *map[int64]string, out *map[string]int64) error {
	keys := []int64{}
	for k := range *in {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	r := map[string]int64{}
	for _, k := range keys {
		v := (*in)[k]
		if _, dup := r[v]; dup {
			return errors.New("kitchen: duplicate value " + v)
		}
		r[v] = k
	}
	*out = r
	return nil
}

// Grow fills every branch's Index from its Leaves, ById from Branches (by
// position), and LeafCount.
func (*Kitchen) Grow(in *Tree, out *Tree) error {
	*out = Grow(*in)
	return nil
}

func Grow(t Tree) Tree {
	t.LeafCount = 0
	index := func(b *Branch) {
		if len(b.Leaves) > 0 {
			idx := make(map[string]Leaf, len(b.Index)+len(b.Leaves))
			for k, l := range b.Index {
				idx[k] = l
			}
			for _, l := range b.Leaves {
				idx[l.Name] = l
			}
			b.Index = idx
		}
		t.LeafCount += uint32(len(b.Leaves))
	}
	index(&t.Root)
	t.Branches = append([]Branch(nil), t.Branches...)
	if len(t.Branches) > 0 {
		byID := make(map[int32]Branch, len(t.ById)+len(t.Branches))
		for k, b := range t.ById {
			byID[k] = b
		}
		t.ById = byID
	}
	for i := range t.Branches {
		index(&t.Branches[i])
		t.ById[int32(i)] = t.Branches[i]
	}
	return t
}

func (*Kitchen) Limits(in *Empty, out *Limits) error {
	*out = Limits{
		MinI8: math.MinInt8, MaxI8: math.MaxInt8,
		MinI16: math.MinInt16, MaxI16: math.MaxInt16,
		MinI32: math.MinInt32, MaxI32: math.MaxInt32,
		MinI64: math.MinInt64, MaxI64: math.MaxInt64,
		MaxU8: math.MaxUint8, MaxU16: math.MaxUint16, MaxU32: math.MaxUint32, MaxU64: math.MaxUint64,
		MaxF32: math.MaxFloat32, SmallestF32: math.SmallestNonzeroFloat32,
		MaxF64: math.MaxFloat64, SmallestF64: math.SmallestNonzeroFloat64,
	}
	return nil
}

// Fail fails with the message asked for.
func (*Kitchen) Fail(in *FailArgs, out *bool) error {
	*out = true
	if in.Message == "" {
		return errors.New("kitchen: failure")
	}
	return errors.New(in.Message)
}
