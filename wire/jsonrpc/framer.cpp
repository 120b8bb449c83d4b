#include "wire/jsonrpc/framer.hpp"

#include <algorithm>
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

// Which of the `width` bytes at p (at most 16) are special: bit k for
// p[k]. Sixteen at a time with SSE2 (every x86-64); the tail of a buffer,
// and other machines, byte by byte.
unsigned special_mask(const char* p, std::size_t width) {
#if defined(__SSE2__)
    if (width == 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('{')), _mm_cmpeq_epi8(v, _mm_set1_epi8('}'))),
                         _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('[')), _mm_cmpeq_epi8(v, _mm_set1_epi8(']')))));
        return static_cast<unsigned>(_mm_movemask_epi8(hit));
    }
#endif
    unsigned mask = 0;
    for (std::size_t k = 0; k < width; ++k)
        if (kSpecial[static_cast<unsigned char>(p[k])]) mask |= 1u << k;
    return mask;
}

bool space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

constexpr std::string_view kBom = "\xEF\xBB\xBF";

} // namespace

bool Framer::blank(std::string_view b) {
    for (std::size_t i = 0; i < b.size();) {
        if (space(b[i])) ++i;
        else if (b.substr(i, kBom.size()) == kBom) i += kBom.size();
        else return false;
    }
    return true;
}

Framer::Status Framer::next(std::string_view buf, std::size_t& begin, std::size_t& end) {
    const char* p = buf.data();
    std::size_t n = buf.size();
    if (pos_ > n) reset(); // the caller dropped bytes we had scanned
    std::size_t i = pos_;
    if (!started_) {
        for (;;) {
            while (i < n && space(p[i])) ++i;
            if (i == n || p[i] != kBom[0]) break;
            const std::string_view seen(p + i, std::min(kBom.size(), n - i));
            if (seen != kBom.substr(0, seen.size())) return Status::Garbage;
            if (seen.size() < kBom.size()) break; // the rest of the mark is yet to come
            i += kBom.size();
        }
        if (i == n || p[i] == kBom[0]) {
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
    std::uint64_t* const brackets = brackets_.data();
    Status status = Status::NeedMore;
    if (escape && i < n) {
        escape = false; // the byte after a backslash that ended the last buffer
        ++i;
    }
    // Block by block: the special bytes of a block found at once, then
    // walked one by one (a JSON-RPC call has about twenty).
    while (i < n && status == Status::NeedMore) {
        const std::size_t width = std::min<std::size_t>(16, n - i);
        unsigned mask = special_mask(p + i, width);
        std::size_t next = i + width;
        while (mask) {
            const unsigned bit = static_cast<unsigned>(__builtin_ctz(mask));
            mask &= mask - 1;
            const std::size_t at = i + bit;
            const char c = p[at];
            if (in_string) {
                if (c == '"') {
                    in_string = false;
                } else if (c == '\\') {
                    // The escaped byte is skipped, whatever it is: in this
                    // block, in the next one, or in the next buffer.
                    if (bit + 1 < width) {
                        mask &= ~(1u << (bit + 1));
                    } else if (next < n) {
                        ++next;
                    } else {
                        escape = true;
                    }
                }
                continue;
            }
            if (c == '"') {
                in_string = true;
            } else if (c == '{' || c == '[') {
                if (++depth > max_depth_) {
                    status = Status::TooDeep;
                    next = at + 1;
                    break;
                }
                const std::uint64_t bit = std::uint64_t{1} << (depth % 64);
                if (c == '[') brackets[depth / 64] |= bit;
                else brackets[depth / 64] &= ~bit;
            } else if (c == '}' || c == ']') {
                const bool opened_array = (brackets[depth / 64] >> (depth % 64)) & 1;
                if (opened_array != (c == ']')) {
                    status = Status::Mismatched;
                    next = at + 1;
                    break;
                }
                if (--depth == 0) {
                    begin = begin_;
                    end = at + 1;
                    if (end - begin_ > max_bytes_) return Status::TooLarge;
                    reset();
                    return Status::Complete;
                }
            } // a backslash outside a string is the parser's to refuse
        }
        i = next;
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
