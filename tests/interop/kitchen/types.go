// Package kitchen mirrors tests/plugins/kitchen/kitchen.cpp in Go: the same
// types (same field names, Go's equivalents of the C++ types) and the same
// methods, so one Go client can call plugrpcd's Kitchen and Go's Kitchen and
// expect the same replies.
package kitchen

type Point struct {
	X, Y  int32
	Label string
}

type Everything struct {
	Flag     bool
	I8       int8
	I16      int16
	I32      int32
	I64      int64
	U8       uint8
	U16      uint16
	U32      uint32
	U64      uint64
	F32      float32
	F64      float64
	Text     string
	Bytes    []byte
	Ints     []int64
	Uints    []uint64
	Strings  []string
	Floats   []float64
	Floats32 []float32
	Triple   [3]int32
	Quad     [4]uint8
	Switches [2]bool
	Counts   map[string]int64
	Names    map[int64]string
	Flags    map[uint8]bool
	Groups   map[string][]string
	Matrix   [][]int32
	Origin   Point
	Path     []Point
	Places   map[string]Point
}

type Leaf struct {
	Name   string
	Values []int32
}

type Branch struct {
	Name   string
	Leaves []Leaf
	Index  map[string]Leaf
}

type Tree struct {
	Name      string
	Root      Branch
	Branches  []Branch
	ById      map[int32]Branch
	LeafCount uint32
}

type Stats struct {
	Count          int64
	Min, Max, Mean float64
}

type Limits struct {
	MinI8, MaxI8        int8
	MinI16, MaxI16      int16
	MinI32, MaxI32      int32
	MinI64, MaxI64      int64
	MaxU8               uint8
	MaxU16              uint16
	MaxU32              uint32
	MaxU64              uint64
	MaxF32, SmallestF32 float32
	MaxF64, SmallestF64 float64
}

type Empty struct{}

type FailArgs struct {
	Message string
}
