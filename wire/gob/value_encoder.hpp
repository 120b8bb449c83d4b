// Writing a JSON value as gob, shaped by its Schema, byte for byte as Go's
// encoder writes the corresponding Go value (encode.go):
//
//   - struct fields that hold their zero value are left out (false, 0, "",
//     empty []byte, empty slice, empty map); nested structs and arrays are
//     always sent;
//   - inside slices, arrays and maps every element is sent, zero or not;
//   - a top-level value that is not a struct is sent as `00` and the value.
//
// The JSON is expected to match the schema (the registry checks replies).
// Where it does not, the zero value is written instead: the output is
// always a well-formed value of the schema's type.
#pragma once

#include "wire/gob/types.hpp"
#include "wire/schema.hpp"

#include <boost/json/value.hpp>

#include <string>

namespace plugrpc::gob {

// Appends a top-level value (type id, then the value) to `out`. `v` may be
// null (the zero value).
void encode_top_value(std::string& out, TypeId id, const Schema& s, const boost::json::value* v);

} // namespace plugrpc::gob
