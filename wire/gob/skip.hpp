// Reading past gob values nobody asked for: fields the receiver does not
// have, bodies of unknown methods, and the scan that finds where a value
// ends. Follows Go's ignore ops (decode.go decIgnoreOpFor), bounded in depth.
#pragma once

#include "wire/gob/input.hpp"
#include "wire/gob/types.hpp"

namespace plugrpc::gob {

// Nesting of values (and of the types describing them) is bounded.
inline constexpr unsigned kMaxValueDepth = 64;
// A value may continue in further messages only for interface type
// definitions; more than this many messages for one value is refused.
inline constexpr unsigned kMaxMessagesPerValue = 64;

// State shared by the walkers over one value.
struct Walk {
    TypeTable& types;
    ValueInput& in;
    // True while the stream is first scanned: type definitions met inside
    // interface values are recorded. On replay they are only read past.
    bool scanning = false;
    unsigned messages = 1;
};

// Reads past one value of wire type `id` (as a struct field, element, or
// after a singleton's zero delta).
void skip_value(Walk& w, TypeId id, unsigned depth);

// Reads past a whole top-level value: a struct, or `00` and a singleton.
void skip_top_value(Walk& w, TypeId id, unsigned depth);

// Reads past an interface value: concrete type name, type definitions,
// type id, byte count, value. A nil interface is just the empty name.
void skip_interface(Walk& w, unsigned depth);

} // namespace plugrpc::gob
