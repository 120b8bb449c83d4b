// The argument of a call as canonical JSON text, read straight from the
// gob body, for the shape most methods take: a struct whose fields are
// integers, booleans and strings of printable ASCII.
//
// The general path (value_decoder.hpp) builds a Boost.JSON value in the
// call's arena, and the dispatcher writes it out as the text the handler
// reads: for Arith's {A, B int} two thirds of the work of decoding a call.
// This writes that text at once — every schema field in schema order, a
// field not received as its zero, integers range-checked for their width —
// and declines whatever it does not write exactly as the general path
// would: a wire type not yet checked on this connection (the first call of
// each type goes the general way, which checks it), any other field kind,
// a field name that would need escaping, a string with a byte outside
// printable ASCII or a quote or backslash, an integer out of range (the
// general path words the error), a repeated field.
#pragma once

#include "wire/gob/skip.hpp"
#include "wire/gob/value_decoder.hpp"
#include "wire/schema.hpp"

#include <string>

namespace plugrpc::gob {

// True with the text appended to `out`; false (out as it was) to decline.
// Throws the decoders' errors on a corrupt body (the caller declines then).
bool write_plain_struct(Walk& w, TypeId id, const Schema& local, DecodePlans& plans, std::string& out);

} // namespace plugrpc::gob
