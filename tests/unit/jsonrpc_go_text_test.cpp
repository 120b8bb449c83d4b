// Replies to JSON clients spell values as Go's encoding/json does (Go 1.19,
// encode.go): floats in plain decimal between 1e-6 and 1e21 and with a
// short exponent outside (figures from json.Marshal), -0 as -0, bytes
// that are not UTF-8 as \ufffd; NaN and infinities are refused with Go's
// text.
#include "server/jsonrpc/message.hpp"
#include "wire/json_text.hpp"
#include "wire/json_typed_text.hpp"
#include "wire/schema.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

// Each file in its own namespace: unity builds compile several together.
namespace unit_jsonrpc_go_text {

namespace json = boost::json;
using namespace plugrpc::jsonrpc;
using plugrpc::Outcome;

namespace {

std::string go(double d) {
    std::string out;
    plugrpc::append_json(out, json::value(d));
    return out;
}

std::string go(const json::value& v) {
    std::string out;
    plugrpc::append_json(out, v);
    return out;
}

std::string reply(Dialect d, json::value result) {
    Outcome o;
    o.result = std::move(result);
    std::string out;
    encode_reply(out, d, RawId{"1"}, o);
    return out;
}

} // namespace

TEST_CASE("go text: floats are spelled as json.Marshal spells them", "[jsonrpc]") {
    // Each pair: json.Marshal(float64) in Go 1.19.
    CHECK(go(-0.0) == "-0");
    CHECK(go(0.0) == "0");
    CHECK(go(1e21) == "1e+21");
    CHECK(go(1e20) == "100000000000000000000");
    CHECK(go(1e-7) == "1e-7");
    CHECK(go(1e-6) == "0.000001");
    CHECK(go(0.000001234) == "0.000001234");
    CHECK(go(5e-324) == "5e-324");
    CHECK(go(1.5) == "1.5");
    CHECK(go(123456789.0) == "123456789");
    CHECK(go(-1.7976931348623157e308) == "-1.7976931348623157e+308");
    CHECK(go(0.1) == "0.1");
    CHECK(go(1e100) == "1e+100");
    CHECK(go(12345678901234567890.0) == "12345678901234567000");
    CHECK(go(2.5e-10) == "2.5e-10");
}

TEST_CASE("go text: bytes that are not UTF-8 are U+FFFD, and keys differing only there come out alike", "[jsonrpc]") {
    CHECK(go(json::string("a\xff" "b\xc3")) == R"("a\ufffdb\ufffd")");
    CHECK(go(json::object{{"k\xff", 1}, {"k\xfe", 2}}) == R"({"k\ufffd":1,"k\ufffd":2})");
    CHECK(go(json::string("h\xc3\xa9 \xe2\x80\xa8 \xe2\x80\xa9 \x01\b\f\n\"\\")) ==
          "\"h\xc3\xa9 \\u2028 \\u2029 \\u0001\\u0008\\u000c\\n\\\"\\\\\"");
}

TEST_CASE("go text: a reply holding -0 is -0 in both dialects", "[jsonrpc]") {
    CHECK(reply(Dialect::Go, json::object{{"F", -0.0}}) == R"({"id":1,"result":{"F":-0},"error":null})");
    CHECK(reply(Dialect::V2, json::array{-0.0, 1e-7}) == R"({"jsonrpc":"2.0","result":[-0,1e-7],"id":1})");
}

TEST_CASE("go text: a reply holding NaN or an infinity is Go's json error, in the connection's dialect", "[jsonrpc]") {
    CHECK(reply(Dialect::Go, json::object{{"F", std::numeric_limits<double>::quiet_NaN()}}) ==
          R"({"id":1,"result":null,"error":"json: unsupported value: NaN"})");
    CHECK(reply(Dialect::V2, json::array{-std::numeric_limits<double>::infinity()}) ==
          R"({"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error: json: unsupported value: -Inf"},"id":1})");
}

TEST_CASE("go text: an error text that is not UTF-8 is written with U+FFFD", "[jsonrpc]") {
    Outcome o;
    o.kind = Outcome::Kind::MethodError;
    o.error = "bad \xff";
    std::string out;
    encode_reply(out, Dialect::Go, RawId{"1"}, o);
    CHECK(out == R"({"id":1,"result":null,"error":"bad \ufffd"})");
}

TEST_CASE("go text: <, > and & are escaped as Go's Encoder escapes them", "[jsonrpc]") {
    // Figures from json.Marshal (Go 1.19), which jsonrpc's Encoder matches.
    CHECK(go(json::string("<a href=\"x\">&</a>\xe2\x80\xa8")) ==
          R"("\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e\u2028")");
    CHECK(reply(Dialect::Go, json::string("a<b")) == R"({"id":1,"result":"a\u003cb","error":null})");
    std::string out;
    encode_error(out, Dialect::Go, RawId{"1"}, 0, "x > y & z");
    CHECK(out == R"({"id":1,"result":null,"error":"x \u003e y \u0026 z"})");
}

TEST_CASE("go text: float32s are spelled as Go spells a float32, where the schema says so", "[jsonrpc]") {
    auto f32 = [](float f) {
        std::string out;
        plugrpc::append_go_float32(out, f);
        return out;
    };
    // Figures from json.Marshal of float32 values (Go 1.19).
    CHECK(f32(0.1f) == "0.1");
    CHECK(f32(1.0f / 3) == "0.33333334");
    CHECK(f32(3.4028235e38f) == "3.4028235e+38");
    CHECK(f32(1e-7f) == "1e-7");
    CHECK(f32(1.5e-45f) == "1e-45");
    CHECK(f32(16777217.0f) == "16777216");
    CHECK(f32(1e20f) == "100000000000000000000");
    CHECK(f32(1e21f) == "1e+21");
    CHECK(f32(123456.79f) == "123456.79");
    CHECK(f32(-0.0f) == "-0");
    CHECK(f32(2.5e-6f) == "0.0000025");

    auto schema = plugrpc::parse_schema(std::string_view(
        R"({"type":"object","title":"R","properties":{"F":{"type":"number","format":"float"},)"
        R"("L":{"type":"array","items":{"type":"number","format":"float"}},)"
        R"("M":{"type":"object","additionalProperties":{"type":"number","format":"float"}},)"
        R"("D":{"type":"number","format":"double"}}})"));
    REQUIRE(schema.schema);
    CHECK(schema.schema->has_float32);
    double f = static_cast<float>(0.1);
    Outcome o;
    o.result = json::object{{"F", f}, {"L", json::array{double(0.2f), double(1e-7f)}},
                            {"M", json::object{{"k", double(0.3f)}}}, {"D", f}};
    o.float32_schema = schema.schema;
    std::string out;
    encode_reply(out, Dialect::Go, RawId{"1"}, o);
    CHECK(out == R"({"id":1,"result":{"F":0.1,"L":[0.2,1e-7],"M":{"k":0.3},"D":0.10000000149011612},"error":null})");
}

} // namespace unit_jsonrpc_go_text
