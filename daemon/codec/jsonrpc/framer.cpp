#include "codec/jsonrpc/framer.hpp"

#include <array>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace plugrpc::jsonrpc {
namespace {

// The bytes the scan stops at: quotes, backslashes and brackets.
constexpr auto kSpecial = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : {'"', '\\', '{', '}', '[', ']'}) t[c] = true;
    return t;
}();

// The first special byte at or after i, or n: 16 bytes at a time where
// SSE2 is there (every x86-64), then byte by byte.
std::size_t next_special(const char* p, std::size_t i, std::size_t n) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i open_brace = _mm_set1_epi8('{'), close_brace = _mm_set1_epi8('}');
    const __m128i open_bracket = _mm_set1_epi8('['), close_bracket = _mm_set1_epi8(']');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, open_brace), _mm_cmpeq_epi8(v, close_brace)),
                         _mm_or_si128(_mm_cmpeq_epi8(v, open_bracket), _mm_cmpeq_epi8(v, close_bracket))));
        if (int bits = _mm_movemask_epi8(hit)) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(bits)));
    }
#endif
    while (i < n && !kSpecial[static_cast<unsigned char>(p[i])]) ++i;
    return i;
}

} // namespace

Framer::Status Framer::next(std::string_view buf, std::size_t& begin, std::size_t& end) {
    const char* p = buf.data();
    std::size_t n = buf.size();
    if (pos_ > n) reset(); // the caller dropped bytes we had scanned
    std::size_t i = pos_;
    if (!started_) {
        while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) ++i;
        if (i == n) {
            pos_ = i;
            return Status::NeedMore;
        }
        if (p[i] != '{' && p[i] != '[') return Status::Garbage;
        started_ = true;
        begin_ = i;
    }
    // The scan state lives in locals: stores to members through `this`
    // would have to be redone after every byte read (a char may alias).
    bool in_string = in_string_, escape = escape_;
    unsigned depth = depth_;
    Status status = Status::NeedMore;
    if (escape && i < n) {
        escape = false; // the byte after a backslash that ended the last buffer
        ++i;
    }
    for (;;) {
        i = next_special(p, i, n);
        if (i >= n) {
            i = n;
            break;
        }
        char c = p[i++];
        if (in_string) {
            if (c == '"') {
                in_string = false;
            } else if (c == '\\') {
                if (i == n) {
                    escape = true;
                    break;
                }
                ++i; // the escaped byte, whatever it is
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth_) {
                status = Status::TooDeep;
                break;
            }
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                begin = begin_;
                end = i;
                if (end - begin_ > max_bytes_) return Status::TooLarge;
                reset();
                return Status::Complete;
            }
        } // a backslash outside a string is the parser's to refuse
    }
    in_string_ = in_string;
    escape_ = escape;
    depth_ = depth;
    if (status != Status::NeedMore) return status;
    pos_ = i;
    if (pos_ - begin_ > max_bytes_) return Status::TooLarge;
    return Status::NeedMore;
}

} // namespace plugrpc::jsonrpc
