#include "wire/gob/wire.hpp"

#include <bit>
#include <cstring>

namespace plugrpc::gob {

int peek_long_uint(std::string_view data, std::uint64_t& value) {
    if (data.empty()) return 0;
    auto b = static_cast<unsigned char>(data[0]);
    if (b <= 0x7f) {
        value = b;
        return 1;
    }
    int n = -static_cast<int>(static_cast<signed char>(b));
    if (n > 8) return -1;
    if (data.size() < static_cast<std::size_t>(n) + 1) return 0;
    std::uint64_t x = 0;
    for (int i = 1; i <= n; ++i) x = x << 8 | static_cast<unsigned char>(data[i]);
    value = x;
    return n + 1;
}

std::uint64_t Reader::read_long_uint() {
    if (empty()) throw Error("unexpected EOF");
    std::uint64_t x = 0;
    int used = peek_uint(data_.substr(pos_), x);
    if (used < 0) throw Error("gob: encoded unsigned integer out of range");
    if (used == 0) {
        auto n = -static_cast<int>(static_cast<signed char>(data_[pos_]));
        throw Error("gob: invalid uint data length " + std::to_string(n) + ": exceeds input size " +
                    std::to_string(remaining() - 1));
    }
    pos_ += static_cast<std::size_t>(used);
    return x;
}

std::string_view Reader::read_bytes(std::uint64_t n) {
    if (n > remaining()) throw Error("unexpected EOF");
    auto s = data_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
}

std::uint64_t Reader::read_length(std::string_view what) {
    std::uint64_t n = read_uint();
    if (n > remaining())
        throw Error("gob: bad " + std::string(what) + " length " + std::to_string(n) + ": exceeds input size " +
                    std::to_string(remaining()));
    return n;
}

double Reader::float_from_bits(std::uint64_t u) {
    std::uint64_t v = __builtin_bswap64(u);
    return std::bit_cast<double>(v);
}

std::uint64_t float_to_bits(double f) { return __builtin_bswap64(std::bit_cast<std::uint64_t>(f)); }

void put_uint(std::string& out, std::uint64_t x) {
    if (x <= 0x7f) {
        out.push_back(static_cast<char>(x));
        return;
    }
    int bytes = (64 - std::countl_zero(x) + 7) / 8;
    out.push_back(static_cast<char>(-bytes));
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
}

void put_int(std::string& out, std::int64_t i) {
    std::uint64_t x = i < 0 ? (static_cast<std::uint64_t>(~i) << 1) | 1 : static_cast<std::uint64_t>(i) << 1;
    put_uint(out, x);
}

void put_float(std::string& out, double f) { put_uint(out, float_to_bits(f)); }

void put_string(std::string& out, std::string_view s) {
    put_uint(out, s.size());
    out.append(s);
}

} // namespace plugrpc::gob
