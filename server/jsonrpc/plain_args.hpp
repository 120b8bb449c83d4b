// A struct's arguments read the short way: straight from the request's
// JSON text to the canonical text normalize_text() would write, with no
// value built.
//
//   {"A":7,"B":-8}   ->   {"A":7,"B":-8}      (fields in schema order,
//   {"B":2}          ->   {"A":0,"B":2}        missing ones zero)
//
// It reads only the plain form: an object whose keys are field names
// exactly (no escape, no case folding, each at most once), and whose
// values are, by the field's type, an integer literal in range (no
// fraction, exponent or leading zero), true or false, or a string of
// printable ASCII with no escape. Anything else (null, a float field, a
// nested value, an unknown key, a value out of range, bad JSON) it
// declines, and the caller parses the text and normalizes the value: that
// path stays the reference, errors included. Whatever it accepts is valid
// JSON, and the text it writes is byte for byte normalize_text()'s.
#pragma once

#include "wire/schema.hpp"

#include <string>
#include <string_view>

namespace plugrpc {

// True when `text` (the argument, surrounding spaces allowed) was read:
// its canonical text for `s` is then appended to `out`. False leaves `out`
// as it was.
bool normalize_plain_args(std::string_view text, const Schema& s, std::string& out);

} // namespace plugrpc
