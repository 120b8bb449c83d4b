// --arg-type: a gob argument's type in Go's own words, for what cannot be
// told from its JSON (plugrpc call --proto gob against Go's servers).
//
//     bool string int int8 int16 int32 int64 uint uint8 byte uint16 uint32
//     uint64 float32 float64 []byte []T [N]T map[K]V
//     struct{A int; B int}   struct{A, B int}   struct{}
//
// Gob sends every signed integer as one wire type (so int and int64 are
// the same to the server), every unsigned one and every float likewise;
// the width still bounds what the JSON value may hold. Struct fields are
// sent under the names given, which Go matches exactly (exported: A, not a).
#pragma once

#include "wire/schema.hpp"

#include <string_view>

namespace plugrpc::cli {

// The schema of a type description, or why it is not one (error names the
// place: "at 7: expected a type").
SchemaResult parse_go_type(std::string_view text);

} // namespace plugrpc::cli
