// An integer read from a JSON number's text, by one of two rules:
//
//   Go's encoding/json    strconv.ParseInt / ParseUint on the text: an
//                         optional '-' (signed only) and digits. -0 is 0
//                         for an int and refused for a uint; 1.0, 1e2,
//                         -0.0 are refused.
//   exact value           JSON-RPC 2.0, which has no integer type: any
//                         number whose exact decimal value is an integer
//                         (1.0, 1e2, 2.50e1, -0.0 is 0); 2.5 and 1e-400
//                         are not. Decided on the digits, never on a
//                         double that may have been rounded.
//
// The text is a JSON number (the parser has judged it).
#pragma once

#include <cstdint>
#include <string_view>

namespace plugrpc {

struct IntegerLiteral {
    enum class Status : std::uint8_t {
        Integer,    // negative, magnitude hold it
        NotInteger, // not one by the rule asked for
        Beyond64,   // an integer, but its magnitude needs more than 64 bits
    };
    Status status = Status::NotInteger;
    bool negative = false;       // never for 0
    std::uint64_t magnitude = 0; // |value|
};

IntegerLiteral read_go_integer(std::string_view text, bool is_signed);
IntegerLiteral read_exact_integer(std::string_view text);

} // namespace plugrpc
