// A call's argument read from gob straight to its canonical text
// (wire/gob/plain_body): what it writes is what the general decoder and
// the dispatcher's writer make of the same bytes, and what it cannot
// write so it leaves, unconsumed, to the general decoder.
#include "wire/gob/decoder.hpp"
#include "gob_test_support.hpp"

#include <plugrpc/json_write.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_plain_body {

using namespace gobtest;

namespace {

constexpr gob::TypeId kWire = 66;

// The receiver: every kind the short way writes, and widths it checks.
SchemaPtr receiver() {
    return structure("Args", {{"A", integer()},
                              {"B", integer()},
                              {"Flag", boolean()},
                              {"Name", string()},
                              {"Small", integer(8)},
                              {"U", unsigned_(16)},
                              {"Big", unsigned_()}});
}

// What the client sends: the fields in another order, one the receiver
// lacks (a float), and two it has left out (B, U).
gob::WireType sender() {
    return wire_struct("Args", {{"Name", gob::kString},
                                {"Extra", gob::kFloat},
                                {"Small", gob::kInt},
                                {"A", gob::kInt},
                                {"Flag", gob::kBool},
                                {"Big", gob::kUint}});
}

struct Values {
    std::string name = "x";
    std::int64_t small = 0, a = 0;
    bool flag = false;
    std::uint64_t big = 0;
    bool send_a = true; // a field may be left out
};

std::string body(const Values& v) {
    std::vector<std::pair<int, std::string>> fields{{0, enc_string(v.name)}, {1, enc_uint(0x40)},
                                                    {2, enc_int(v.small)}};
    if (v.send_a) fields.push_back({3, enc_int(v.a)});
    fields.push_back({4, enc_uint(v.flag)});
    fields.push_back({5, enc_uint(v.big)});
    return struct_value(kWire, fields);
}

// Two calls, the type defined before the first: the first with zero
// values, the second with `v`.
std::string stream(const Values& v) {
    return request_header("T.M", 1) + type_definition(kWire, sender()) + body(Values{}) +
           request_header("T.M", 2, false) + body(v);
}

// The second call's argument as the general way makes it (or its error).
std::string general(const Values& v, const SchemaPtr& args) {
    gob::RequestDecoder dec(1 << 20);
    expect_request(dec, stream(v));
    boost::json::value first;
    if (std::string e = dec.body_into(args, first); !e.empty()) return "error: " + e;
    REQUIRE(dec.next() == gob::RequestDecoder::Step::Header);
    REQUIRE(dec.next() == gob::RequestDecoder::Step::Body);
    boost::json::value second;
    if (std::string e = dec.body_into(args, second); !e.empty()) return "error: " + e;
    std::string text;
    plugrpc::append_json_text(text, second, plugrpc::TextForm::Extended);
    return text;
}

// The same, the second call read the short way when it can: its text, or
// "declined: " and what the general way then made of the same body.
std::string shortcut(const Values& v, const SchemaPtr& args) {
    gob::RequestDecoder dec(1 << 20);
    expect_request(dec, stream(v));
    std::string text = "prefix";
    CHECK(!dec.plain_body_text(args, text)); // the first of its type: not checked yet
    CHECK(text == "prefix");
    boost::json::value first;
    if (std::string e = dec.body_into(args, first); !e.empty()) return "error: " + e;
    REQUIRE(dec.next() == gob::RequestDecoder::Step::Header);
    REQUIRE(dec.next() == gob::RequestDecoder::Step::Body);
    if (dec.plain_body_text(args, text)) return text.substr(6);
    CHECK(text == "prefix");
    boost::json::value second;
    if (std::string e = dec.body_into(args, second); !e.empty()) return "declined: error: " + e;
    std::string out;
    plugrpc::append_json_text(out, second, plugrpc::TextForm::Extended);
    return "declined: " + out;
}

} // namespace

TEST_CASE("gob plain body: integers, booleans and plain strings are written as the general way writes them", "[gob]") {
    SchemaPtr args = receiver();
    std::vector<Values> cases;
    Values v;
    cases.push_back(v);
    v.a = -1, v.small = -128, v.flag = true, v.big = ~0ull, v.name = "Arith.Multiply ~!@#$%^&*()_+<>/";
    cases.push_back(v);
    v.a = std::numeric_limits<std::int64_t>::min(), v.small = 127, v.name = "";
    cases.push_back(v);
    v.a = std::numeric_limits<std::int64_t>::max(), v.send_a = false;
    cases.push_back(v);
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200; ++i) {
        Values r;
        r.a = static_cast<std::int64_t>(rng()) >> (rng() % 64);
        r.small = static_cast<std::int64_t>(rng() % 256) - 128;
        r.flag = rng() & 1;
        r.big = rng() >> (rng() % 64);
        r.send_a = rng() % 4 != 0;
        r.name.assign(rng() % 20, ' ');
        for (char& c : r.name) c = static_cast<char>(0x20 + rng() % 95);
        r.name.erase(std::remove_if(r.name.begin(), r.name.end(), [](char c) { return c == '"' || c == '\\'; }),
                     r.name.end());
        cases.push_back(r);
    }
    for (const Values& c : cases) {
        std::string want = general(c, args);
        INFO(want);
        REQUIRE(want.rfind("error", 0) != 0);
        CHECK(shortcut(c, args) == want);
    }
}

TEST_CASE("gob plain body: what it cannot write exactly is left whole to the general decoder", "[gob]") {
    SchemaPtr args = receiver();
    auto declined = [&](const Values& v) {
        std::string got = shortcut(v, args);
        INFO(got);
        CHECK(got == "declined: " + general(v, args));
    };
    Values v;
    v.name = "caf\xc3\xa9"; // not ASCII
    declined(v);
    v.name = "a\"b";
    declined(v);
    v.name = "a\\b";
    declined(v);
    v.name = std::string("a\x01", 2);
    declined(v);
    v.name = "x";
    v.small = 128; // out of range for int8: the general way words the error
    CHECK(shortcut(v, args) == "declined: error: value for \"Small\" out of range");
    CHECK(general(v, args) == "error: value for \"Small\" out of range");
    // A field kind it does not write: the whole struct goes the general way.
    SchemaPtr with_float = structure("Args", {{"A", integer()}, {"Extra", floating()}});
    Values plain;
    plain.a = 5;
    CHECK(shortcut(plain, with_float) == "declined: " + general(plain, with_float));
    CHECK(general(plain, with_float).rfind(R"({"A":5,"Extra":)", 0) == 0);
}

} // namespace unit_gob_plain_body
