// JSON text's strings as Go's encoding/json reads them (Go 1.19, decode.go
// unquoteBytes; its scanner takes any byte from 0x20 inside a string):
//
//   - a byte that does not start valid UTF-8 (a stray 0x80..0xff, a cut
//     sequence, an overlong form, an encoded surrogate, past U+10FFFF) is
//     U+FFFD, one for each such byte, as utf8.DecodeRune steps over it;
//   - a \uXXXX surrogate escape that is not a high one followed at once by
//     a low one (\udc80, \ud800 at the end, \ud800\u0041, \ud800x) is
//     U+FFFD, and what follows it is read on its own.
//
// Boost.JSON refuses both (1.81 has no option for lone surrogates), so a
// request a strict parse refused is rewritten to that reading and parsed
// again: valid text never comes here. Only string contents change: the
// rest, and anything Go's scanner refuses too (a control byte, a bad
// escape, NaN, a stray byte outside a string), is copied as it is, for the
// parse to refuse again.
#pragma once

#include <string>
#include <string_view>

namespace plugrpc::jsonrpc {

// Append `text` to `out` with each such byte written as the UTF-8 of
// U+FFFD and each such escape as \ufffd. False when there was none (`out`
// then holds a copy of `text`, and parsing it again would change nothing).
bool rewrite_go_strings(std::string_view text, std::string& out);

} // namespace plugrpc::jsonrpc
