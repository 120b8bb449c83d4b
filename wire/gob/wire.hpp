// Gob primitives: unsigned/signed integers, floats, strings, as
// encoding/gob lays them out (see encode.go, decode.go).
//
//   unsigned  < 128: one byte; else the negated byte count (FF..F8) and the
//             minimal big-endian bytes (256 = FE 01 00)
//   signed    i >= 0: i << 1; i < 0: (^i << 1) | 1; then as unsigned
//   float     IEEE bits byte-reversed, then as unsigned (17.0 = FE 31 40)
//   string    unsigned length, bytes
//
// Reader walks a byte span and throws Error on malformed data; the codec
// catches it at its public boundary (as Go's gob does with panic/recover).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace plugrpc::gob {

// A value or type description that cannot be decoded. what() is the text
// a client sees (Go's wording where Go has one).
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The stream itself is broken (framing, type definitions): the connection
// cannot go on.
class StreamError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bounded cursor over the payload of one message.
class Reader {
public:
    Reader() = default;
    explicit Reader(std::string_view data) : data_(data) {}

    std::size_t remaining() const { return data_.size() - pos_; }
    bool empty() const { return pos_ == data_.size(); }

    // A one-byte number (0..127, most of what a call carries) is read
    // inline; the rest out of line.
    std::uint64_t read_uint() {
        if (pos_ < data_.size()) {
            auto b = static_cast<unsigned char>(data_[pos_]);
            if (b <= 0x7f) {
                ++pos_;
                return b;
            }
        }
        return read_long_uint();
    }
    std::int64_t read_int() {
        std::uint64_t x = read_uint();
        auto i = static_cast<std::int64_t>(x >> 1);
        return (x & 1) ? ~i : i;
    }
    double read_float() { return float_from_bits(read_uint()); }
    // `n` raw bytes; fails if fewer remain.
    std::string_view read_bytes(std::uint64_t n);
    // A length prefix that must fit the bytes remaining (Go's getLength).
    // `what` names the thing for the error text.
    std::uint64_t read_length(std::string_view what);
    void skip(std::uint64_t n) { read_bytes(n); }

    static double float_from_bits(std::uint64_t u);

private:
    std::uint64_t read_long_uint();
    std::string_view data_;
    std::size_t pos_ = 0;
};

int peek_long_uint(std::string_view data, std::uint64_t& value);

// Reads an unsigned integer from the front of `data` without throwing.
// Returns the bytes it takes (1..9), 0 if `data` is too short to tell,
// or -1 if the first byte announces more than 8 bytes.
inline int peek_uint(std::string_view data, std::uint64_t& value) {
    if (!data.empty() && static_cast<unsigned char>(data[0]) <= 0x7f) {
        value = static_cast<unsigned char>(data[0]);
        return 1;
    }
    return peek_long_uint(data, value);
}

void put_uint(std::string& out, std::uint64_t x);
void put_int(std::string& out, std::int64_t i);
void put_float(std::string& out, double f);
void put_string(std::string& out, std::string_view s);

std::uint64_t float_to_bits(double f);

} // namespace plugrpc::gob
