#include "wire/integer_literal.hpp"

#include <charconv>
#include <cstddef>

namespace plugrpc {
namespace {

using Status = IntegerLiteral::Status;

bool digit(char c) { return c >= '0' && c <= '9'; }

// Digits as an unsigned magnitude; false past 64 bits.
bool magnitude_of(std::string_view digits, std::uint64_t& out) {
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return r.ec == std::errc() && r.ptr == digits.data() + digits.size();
}

} // namespace

IntegerLiteral read_go_integer(std::string_view text, bool is_signed) {
    IntegerLiteral r;
    bool negative = !text.empty() && text[0] == '-';
    std::string_view digits = text.substr(negative ? 1 : 0);
    if (digits.empty() || (negative && !is_signed)) return r; // ParseUint takes no sign, not even for -0
    for (char c : digits)
        if (!digit(c)) return r; // a fraction or an exponent
    if (!magnitude_of(digits, r.magnitude)) {
        r.status = Status::Beyond64;
        return r;
    }
    r.status = Status::Integer;
    r.negative = negative && r.magnitude != 0;
    return r;
}

IntegerLiteral read_exact_integer(std::string_view text) {
    IntegerLiteral r;
    std::size_t i = 0;
    bool negative = i < text.size() && text[i] == '-';
    if (negative) ++i;
    // JSON's number: int [frac] [exp]. The value is digits × 10^scale,
    // digits being the integer and fraction digits run together.
    std::size_t int_begin = i;
    while (i < text.size() && digit(text[i])) ++i;
    std::string_view whole = text.substr(int_begin, i - int_begin);
    std::string_view fraction;
    if (i < text.size() && text[i] == '.') {
        std::size_t b = ++i;
        while (i < text.size() && digit(text[i])) ++i;
        fraction = text.substr(b, i - b);
    }
    // The exponent, held within ±2^40 (a longer one is all the same: the
    // value is 0, a fraction, or beyond 64 bits).
    constexpr std::int64_t kExponentCap = std::int64_t(1) << 40;
    std::int64_t exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool minus = i < text.size() && text[i] == '-';
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
        for (; i < text.size() && digit(text[i]); ++i)
            if (exponent < kExponentCap) exponent = exponent * 10 + (text[i] - '0');
        if (minus) exponent = -exponent;
    }
    if (whole.empty() || i != text.size()) return r; // not a JSON number

    auto at = [&](std::size_t k) { return k < whole.size() ? whole[k] : fraction[k - whole.size()]; };
    std::size_t n = whole.size() + fraction.size();
    std::size_t first = 0, last = n; // the significant digits: [first, last)
    while (first < n && at(first) == '0') ++first;
    if (first == n) { // zero, -0.0 included: exactly the integer 0
        r.status = Status::Integer;
        return r;
    }
    while (at(last - 1) == '0') --last;
    // digits[first, last) × 10^scale, the last digit not 0: an integer
    // exactly when scale >= 0.
    std::int64_t scale = exponent - static_cast<std::int64_t>(fraction.size()) + static_cast<std::int64_t>(n - last);
    if (scale < 0) return r;
    std::size_t significant = last - first;
    if (static_cast<std::int64_t>(significant) + scale > 20) { // 2^64 has 20 digits
        r.status = Status::Beyond64;
        return r;
    }
    std::uint64_t m = 0;
    for (std::size_t k = first; k < last; ++k) {
        unsigned d = static_cast<unsigned>(at(k) - '0');
        if (m > (~std::uint64_t(0) - d) / 10) {
            r.status = Status::Beyond64;
            return r;
        }
        m = m * 10 + d;
    }
    for (std::int64_t k = 0; k < scale; ++k) {
        if (m > ~std::uint64_t(0) / 10) {
            r.status = Status::Beyond64;
            return r;
        }
        m *= 10;
    }
    r.status = Status::Integer;
    r.negative = negative;
    r.magnitude = m;
    return r;
}

} // namespace plugrpc
