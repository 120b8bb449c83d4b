// Round trips: a reply encoded by ResponseEncoder, read back by
// RequestDecoder (a Response header reads as a Request: its Error field is
// skipped), gives the same JSON for every kind of type.
#include "gob_test_support.hpp"

#include "wire/gob/encoder.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_roundtrip {

using namespace gobtest;
using Step = gob::RequestDecoder::Step;

namespace {

boost::json::value round_trip(const Schema& schema, const boost::json::value& v) {
    gob::ResponseEncoder enc;
    std::string out;
    enc.encode(out, "Svc.M", 7, "", &v, &schema);
    gob::RequestDecoder dec(1 << 20);
    expect_request(dec, out);
    REQUIRE(dec.service_method() == "Svc.M");
    REQUIRE(dec.seq() == 7);
    auto r = dec.body_as(schema);
    REQUIRE(r.error == "");
    return r.value;
}

void check_round_trip(const SchemaPtr& schema, const char* text) {
    auto v = json(text);
    INFO(text);
    CHECK(round_trip(*schema, v) == v);
}

} // namespace

TEST_CASE("gob round trip: signed integers of every width at their limits", "[gob]") {
    auto s = structure("R", {{"I8", integer(8)}, {"I16", integer(16)}, {"I32", integer(32)}, {"I64", integer()}});
    check_round_trip(s, R"({"I8":-128,"I16":-32768,"I32":-2147483648,"I64":-9223372036854775808})");
    check_round_trip(s, R"({"I8":127,"I16":32767,"I32":2147483647,"I64":9223372036854775807})");
}

TEST_CASE("gob round trip: unsigned integers of every width at their limits", "[gob]") {
    auto s = structure("R", {{"U8", unsigned_(8)}, {"U16", unsigned_(16)}, {"U32", unsigned_(32)}, {"U64", unsigned_()}});
    check_round_trip(s, R"({"U8":255,"U16":65535,"U32":4294967295,"U64":18446744073709551615})");
    check_round_trip(s, R"({"U8":1,"U16":0,"U32":128,"U64":256})");
}

TEST_CASE("gob round trip: float64, float32 and bool", "[gob]") {
    auto s = structure("R", {{"D", floating()}, {"F", floating(32)}, {"B", boolean()}});
    check_round_trip(s, R"({"D":-1.7976931348623157e308,"F":0.5,"B":true})");
    check_round_trip(s, R"({"D":5e-324,"F":-1024.25,"B":false})");
}

TEST_CASE("gob round trip: strings and bytes, empty and not", "[gob]") {
    auto s = structure("R", {{"S", string()}, {"Y", byte_string()}, {"E", string()}, {"Z", byte_string()},
                             {"Raw", slice(unsigned_(8))}});
    check_round_trip(s, R"({"S":"héllo, 世界","Y":"AAEC+g==","E":"","Z":"","Raw":[0,128,255]})");
}

TEST_CASE("gob round trip: slices and fixed arrays, nested", "[gob]") {
    auto s = structure("R", {{"L", slice(slice(string()))}, {"A", array(2, array(3, unsigned_(8)))},
                             {"E", slice(integer())}});
    check_round_trip(s, R"({"L":[["a",""],[]],"A":[[1,2,3],[0,0,255]],"E":[]})");
}

TEST_CASE("gob round trip: maps with string, signed and unsigned keys", "[gob]") {
    auto s = structure("R", {{"S", map(string(), floating())}, {"I", map(integer(16), string())},
                             {"U", map(unsigned_(), slice(boolean()))}});
    check_round_trip(s, R"({"S":{"a":1.5,"b":0.0},"I":{"-5":"x","300":""},"U":{"18446744073709551615":[true,false]}})");
}

TEST_CASE("gob round trip: nested structs, slices of structs and maps of structs", "[gob]") {
    auto point = structure("Point", {{"X", integer()}, {"Y", integer()}});
    auto s = structure("R", {{"P", point}, {"Ps", slice(point)}, {"Pm", map(string(), point)},
                             {"Deep", structure("Outer", {{"In", structure("Inner", {{"P", point}})}})}});
    check_round_trip(s, R"({"P":{"X":1,"Y":-1},"Ps":[{"X":0,"Y":0},{"X":2,"Y":3}],"Pm":{"o":{"X":0,"Y":0}},
                            "Deep":{"In":{"P":{"X":9,"Y":0}}}})");
}

TEST_CASE("gob round trip: top-level values of every kind", "[gob]") {
    check_round_trip(integer(), "-42");
    check_round_trip(unsigned_(), "0");
    check_round_trip(floating(), "2.5");
    check_round_trip(boolean(), "false");
    check_round_trip(string(), R"("")");
    check_round_trip(byte_string(), R"("/w==")");
    check_round_trip(slice(integer()), "[]");
    check_round_trip(array(2, string()), R"(["a","b"])");
    check_round_trip(map(string(), integer()), R"({"k":-1})");
    check_round_trip(structure("Empty", {}), "{}");
}

TEST_CASE("gob round trip: many replies on one connection reuse the types described once", "[gob]") {
    auto point = structure("Point", {{"X", integer()}, {"Y", integer()}});
    auto s = structure("R", {{"Ps", slice(point)}});
    gob::ResponseEncoder enc;
    gob::RequestDecoder dec(1 << 20);
    std::size_t first_size = 0;
    for (std::uint64_t seq = 0; seq < 5; ++seq) {
        std::string out;
        auto v = json(R"({"Ps":[{"X":)" + std::to_string(seq) + R"(,"Y":1}]})");
        enc.encode(out, "Svc.M", seq, "", &v, s.get());
        if (seq == 0) first_size = out.size();
        else CHECK(out.size() < first_size);
        dec.feed(out);
        REQUIRE(dec.next() == Step::Header);
        CHECK(dec.seq() == seq);
        REQUIRE(dec.next() == Step::Body);
        CHECK(dec.body_as(*s).value == v);
    }
}

TEST_CASE("gob round trip: any JSON travels as a string of its text, null as the empty string", "[gob]") {
    auto s = structure("R", {{"Any", make(Kind::Any)}, {"Null", make(Kind::Any)}, {"N", integer()}});
    check_round_trip(s, R"({"Any":["hello",5,{"a":[true,null,1.5]}],"Null":null,"N":3})");
    check_round_trip(s, R"({"Any":"text","Null":null,"N":0})");
    // On the wire: the field is a Go string holding the JSON text.
    gob::ResponseEncoder enc;
    std::string out;
    auto v = json(R"({"Any":[1,2],"Null":null,"N":0})");
    enc.encode(out, "Svc.M", 1, "", &v, s.get());
    CHECK(out.find("\x05[1,2]") != std::string::npos);
}

} // namespace unit_gob_roundtrip
