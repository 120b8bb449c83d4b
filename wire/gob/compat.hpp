// Matching the receiver's types (a method's argument Schema) against the
// sender's wire types before a value is read, as Go's decoder compiles an
// engine first (decode.go compatibleType, compileDec). Errors carry Go's
// texts, e.g. "gob: wrong type (uint64) for received field Args.B".
#pragma once

#include "wire/gob/types.hpp"
#include "wire/schema.hpp"

#include <string>
#include <string_view>

namespace plugrpc::gob {

// Go's compatibleType: basic kinds must match exactly (int, uint and float
// are not interchangeable); arrays, slices and maps must match in shape;
// any struct is acceptable here, its fields are checked by check_struct.
bool compatible(const TypeTable& types, const Schema& local, TypeId wire);

// The wire struct a local struct is read from. Throws "want struct type"
// or "unknown type id" errors.
const TypeRef& wire_struct_for(const TypeTable& types, const Schema& local, TypeId wire);

// Go's compileDec for a struct: every received field the receiver has must
// be compatible (recursively, into nested structs); every received field it
// lacks must at least be fully described.
void check_struct(TypeTable& types, const Schema& local, TypeId wire);

// After compatible(): checks the structs nested in slices, arrays and maps.
void check_nested(TypeTable& types, const Schema& local, TypeId wire);

// Every type reachable from `wire` is defined (Go's decIgnoreOpFor).
void check_skippable(TypeTable& types, TypeId wire);

// The local field a received field fills: exact name, exported (Go's
// FieldByName and isExported); -1 if none.
int local_field(const Schema& local, std::string_view wire_name);

// []byte on the wire: Bytes, or a slice of uint8.
bool is_byte_slice(const Schema& s);

} // namespace plugrpc::gob
