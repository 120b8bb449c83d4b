// plugrpc SDK: scanners for JSON text read the short way, shared by the
// SDK's json_read.hpp and the daemon's request envelope and arguments. Each reads only
// the plain form and declines the rest (returns false, `p` unchanged), for
// a full parser to judge.
#pragma once

#include <charconv>
#include <cstddef>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace plugrpc::json_scan {

// JSON's whitespace, and a step over it.
inline bool space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
inline void skip_space(const char*& p, const char* end) {
    while (p != end && space(*p)) ++p;
}

// The rest of a string whose opening quote `p` has just passed: printable
// ASCII with no escape, up to its closing quote. On success `p` is past the
// closing quote.
inline bool plain_string_rest(const char*& p, const char* end, std::string_view& s) {
    const char* b = p;
    const char* q = p;
#if defined(__SSE2__)
    // 16 bytes at a time while there are 16: a quote, a backslash, or a byte
    // below 0x20 or from 0x80 (negative as a signed char) stops the block.
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    while (end - q >= 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
        __m128i stop =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), _mm_cmplt_epi8(v, space));
        if (int bits = _mm_movemask_epi8(stop)) {
            q += __builtin_ctz(static_cast<unsigned>(bits));
            break;
        }
        q += 16;
    }
#endif
    for (; q != end; ++q) {
        auto c = static_cast<unsigned char>(*q);
        if (c == '"') {
            s = std::string_view(b, static_cast<std::size_t>(q - b));
            p = q + 1;
            return true;
        }
        if (c == '\\' || c < 0x20 || c >= 0x80) return false;
    }
    return false;
}

// An integer literal that fits T: no fraction, no exponent, no leading zero,
// not -0. On success `p` is past its last digit.
template <class T>
bool integer(const char*& p, const char* end, T& out) {
    const char* digits = p != end && *p == '-' ? p + 1 : p;
    if (digits == end || *digits < '0' || *digits > '9') return false;
    if (*digits == '0' && (digits != p || (digits + 1 != end && digits[1] >= '0' && digits[1] <= '9')))
        return false; // -0, or a leading zero
    T v{};
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc()) return false;
    if (next != end && (*next == '.' || *next == 'e' || *next == 'E')) return false;
    out = v;
    p = next;
    return true;
}

} // namespace plugrpc::json_scan
