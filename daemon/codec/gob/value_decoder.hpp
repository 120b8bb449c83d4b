// Reading a received gob value into JSON, shaped by the receiver's Schema,
// with Go's rules: struct fields matched by name, received fields the
// receiver lacks read past, missing fields zero, integer widths range
// checked ("value for \"A\" out of range").
//
// JSON shapes: Int -> int64, Uint -> uint64, Float -> double, Bytes ->
// base64 string, Slice/Array -> array (a []uint8 slice too), Map -> object
// with integer keys in decimal, Struct -> object with every schema field in
// schema order. Strings that are not UTF-8 get U+FFFD per bad byte.
#pragma once

#include "codec/gob/skip.hpp"
#include "schema/schema.hpp"

#include <boost/json/value.hpp>

namespace plugrpc::gob {

// Checks the receiver's types against the wire types (Go's compile step),
// then reads a top-level value of wire type `id`: a struct, or a zero delta
// and a single value. Throws Error with the text the client should see.
boost::json::value decode_top_value(Walk& w, TypeId id, const Schema& local);

} // namespace plugrpc::gob
