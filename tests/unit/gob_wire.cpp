// Gob primitives, checked against the encodings NETRPC.md lists.
#include "gob_test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_wire {

using namespace gobtest;

namespace {

std::string uint_bytes(std::uint64_t u) { return enc_uint(u); }
std::string int_bytes(std::int64_t i) { return enc_int(i); }
std::string float_bytes(double f) {
    std::string s;
    gob::put_float(s, f);
    return s;
}

} // namespace

TEST_CASE("gob unsigned integers below 128 take one byte, larger ones a negated length and big-endian bytes", "[gob]") {
    CHECK(hex(uint_bytes(0)) == "00");
    CHECK(hex(uint_bytes(127)) == "7f");
    CHECK(hex(uint_bytes(128)) == "ff 80");
    CHECK(hex(uint_bytes(256)) == "fe 01 00");
    CHECK(hex(uint_bytes(~0ull)) == "f8 ff ff ff ff ff ff ff ff");
}

TEST_CASE("gob signed integers fold the sign into the low bit", "[gob]") {
    CHECK(hex(int_bytes(0)) == "00");
    CHECK(hex(int_bytes(-1)) == "01");
    CHECK(hex(int_bytes(56)) == "70");
    CHECK(hex(int_bytes(-129)) == "fe 01 01");
    CHECK(hex(int_bytes(-65)) == "ff 81");
    CHECK(hex(int_bytes(std::numeric_limits<std::int64_t>::min())) == "f8 ff ff ff ff ff ff ff ff");
}

TEST_CASE("gob floats are sent byte-reversed so small integers stay short", "[gob]") {
    CHECK(hex(float_bytes(17.0)) == "fe 31 40");
    CHECK(hex(float_bytes(0.0)) == "00");
}

TEST_CASE("gob primitives read back what was written, extremes included", "[gob]") {
    std::string s;
    for (std::uint64_t u : {0ull, 1ull, 127ull, 128ull, 255ull, 256ull, 65535ull, 1ull << 32, ~0ull}) gob::put_uint(s, u);
    for (std::int64_t i : {std::int64_t(0), std::int64_t(-1), std::numeric_limits<std::int64_t>::min(),
                           std::numeric_limits<std::int64_t>::max()})
        gob::put_int(s, i);
    gob::put_float(s, -2.5);
    gob::put_float(s, std::numeric_limits<double>::infinity());
    gob::put_string(s, "héllo");

    gob::Reader r(s);
    for (std::uint64_t u : {0ull, 1ull, 127ull, 128ull, 255ull, 256ull, 65535ull, 1ull << 32, ~0ull}) CHECK(r.read_uint() == u);
    CHECK(r.read_int() == 0);
    CHECK(r.read_int() == -1);
    CHECK(r.read_int() == std::numeric_limits<std::int64_t>::min());
    CHECK(r.read_int() == std::numeric_limits<std::int64_t>::max());
    CHECK(r.read_float() == -2.5);
    CHECK(std::isinf(r.read_float()));
    CHECK(r.read_bytes(r.read_length("string")) == "héllo");
    CHECK(r.empty());
}

TEST_CASE("gob reader refuses integers longer than eight bytes and data past the end", "[gob]") {
    const std::string nine_bytes = bytes("f7 01 02 03 04 05 06 07 08 09");
    gob::Reader nine(nine_bytes);
    CHECK_THROWS_WITH(nine.read_uint(), "gob: encoded unsigned integer out of range");

    const std::string short_bytes = bytes("fe 01");
    gob::Reader short_int(short_bytes);
    CHECK_THROWS_WITH(short_int.read_uint(), "gob: invalid uint data length 2: exceeds input size 1");

    gob::Reader empty("");
    CHECK_THROWS_WITH(empty.read_uint(), "unexpected EOF");

    const std::string string_bytes = bytes("05 \"abc\"");
    gob::Reader long_string(string_bytes);
    CHECK_THROWS_WITH(long_string.read_length("string slice"),
                      "gob: bad string slice length 5: exceeds input size 3");
}

TEST_CASE("gob accepts integers written with more bytes than needed, as Go does", "[gob]") {
    const std::string padded = bytes("fe 00 05");
    gob::Reader r(padded);
    CHECK(r.read_uint() == 5);
}

} // namespace unit_gob_wire
