// Go strings may hold any bytes; JSON text must be UTF-8. Invalid bytes
// become U+FFFD, one per byte, as Go's encoding/json does.
#pragma once

#include <string>
#include <string_view>

namespace plugrpc::gob {

// The length of the valid UTF-8 sequence at the front of `s`, or 0.
std::size_t utf8_sequence_length(std::string_view s);

std::string to_valid_utf8(std::string_view s);

} // namespace plugrpc::gob
