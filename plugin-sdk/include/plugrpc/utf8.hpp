// plugrpc SDK: UTF-8 as Go reads it (unicode/utf8): the length of the valid
// sequence at the front of a string, or 0 where a byte starts none — a
// stray continuation byte, an overlong form, a surrogate (ED A0..ED BF),
// a code point past U+10FFFF, or a sequence cut short.
#pragma once

#include <cstddef>
#include <string_view>

namespace plugrpc {

inline std::size_t utf8_sequence_length(std::string_view s) {
    if (s.empty()) return 0;
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char c = b(0);
    if (c < 0x80) return 1;
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xbf; // allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0) lo = 0xa0; // no overlong forms
        if (c == 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (s.size() < n) return 0;
    if (b(1) < lo || b(1) > hi) return 0;
    for (std::size_t i = 2; i < n; ++i)
        if (b(i) < 0x80 || b(i) > 0xbf) return 0;
    return n;
}

} // namespace plugrpc
