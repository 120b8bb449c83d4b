// Bytes for people: 16 to a line, offset first, prefixed with `mark`
// ("> " sent, "< " received), as plugrpc -v shows gob.
#pragma once

#include <string>
#include <string_view>

namespace plugrpc::client::wire {

std::string hex_dump(std::string_view bytes, std::string_view mark);

} // namespace plugrpc::client::wire
