// The schema of a value as its sender described it: a reader with no type
// of its own (plugrpc call against a Go server) takes the peer's type
// definitions for one, and reads the value with it. Go's names survive:
// struct names and field names as sent, in wire order.
//
//     SchemaResult r = received_schema(stream.types(), body_id);
//     if (r.schema) decode_top_value(walk, body_id, *r.schema);
//
// Every signed integer is int64 on the wire (gob has no widths), every
// unsigned uint64, every float float64. What a schema cannot hold is
// refused with the reason: interfaces, complex numbers, types that marshal
// themselves (GobEncoder, ...), maps keyed by anything but strings or
// integers, and types that contain themselves.
#pragma once

#include "wire/gob/types.hpp"
#include "wire/schema.hpp"

namespace plugrpc::gob {

SchemaResult received_schema(const TypeTable& types, TypeId id);

} // namespace plugrpc::gob
