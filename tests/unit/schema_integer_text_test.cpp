// An integer parameter is judged on its number's text: in Go's dialect as
// Go's encoding/json reads it (strconv.ParseInt/ParseUint: an integer
// literal), in JSON-RPC 2.0 by its exact value. The parsed value alone
// cannot tell -0 from -0.0, nor 1e2 from 100.00000000000000001
// (wire/number_literals.hpp finds the text again).
#include "wire/integer_literal.hpp"
#include "wire/number_literals.hpp"
#include "wire/schema.hpp"

#include <plugrpc/json_parse.hpp>

#include <catch2/catch.hpp>

#include <boost/json/serialize.hpp>

#include <cmath>

namespace unit_schema_integer_text {

namespace json = boost::json;
using namespace plugrpc;

namespace {

SchemaPtr schema(std::string_view text) {
    SchemaResult r = parse_schema(text);
    INFO(r.error);
    REQUIRE(r.schema);
    return r.schema;
}

// A struct with one field of each integer kind the interop test sends
// (tests/interop/cmd/interop/edges.go), and a float to keep its sign.
const char* const kFields = R"({"type":"object","title":"F","properties":{)"
                            R"("I":{"type":"integer","format":"int64"},)"
                            R"("I8":{"type":"integer","format":"int8"},)"
                            R"("U8":{"type":"integer","format":"uint8"},)"
                            R"("U64":{"type":"integer","format":"uint64"},)"
                            R"("D":{"type":"number","format":"double"}}})";

enum class Dialect { Go, V2 };

// `field` given `number` in an object, as the server parses and checks it:
// the field's canonical text, or "error: <why>".
std::string given(Dialect d, std::string_view field, std::string_view number) {
    std::string text = "{\"" + std::string(field) + "\":" + std::string(number) + "}";
    json::error_code ec;
    json::value v = parse_json(text, ec);
    REQUIRE(!ec);
    NumberLiterals literals(text, &v);
    NormalizeOptions opt;
    opt.literals = &literals;
    if (d == Dialect::Go) {
        opt.exact_integers = false;
        opt.struct_from_array = false;
        opt.go_arrays = true;
    }
    std::string out;
    std::string error = normalize_text(v, *schema(kFields), out, opt);
    if (!error.empty()) return "error: " + error;
    json::value back = parse_json(out, ec);
    REQUIRE(!ec);
    return json::serialize(back.at(field));
}

} // namespace

TEST_CASE("integer text: Go's dialect takes -0 for a signed integer and refuses -0.0, as strconv.ParseInt", "[schema]") {
    CHECK(given(Dialect::Go, "I", "-0") == "0");
    CHECK(given(Dialect::Go, "I8", "-0") == "0");
    CHECK(given(Dialect::Go, "I", "-0.0") == "error: field I: expected an integer (int64), got -0.0");
    CHECK(given(Dialect::Go, "I8", "-0e0") == "error: field I8: expected an integer (int8), got -0e0");
    CHECK(given(Dialect::Go, "I", "0.0") == "error: field I: expected an integer (int64), got 0.0");
}

TEST_CASE("integer text: Go's dialect refuses -0 for an unsigned integer, as strconv.ParseUint", "[schema]") {
    CHECK(given(Dialect::Go, "U8", "-0") == "error: field U8: expected an unsigned integer (uint8), got -0");
    CHECK(given(Dialect::Go, "U64", "-0") == "error: field U64: expected an unsigned integer (uint64), got -0");
    CHECK(given(Dialect::Go, "U8", "0") == "0");
}

TEST_CASE("integer text: Go's dialect refuses a fraction or an exponent, even of an integer", "[schema]") {
    for (const char* number : {"1.0", "1e2", "1E0", "2.5", "1e-400", "100e-2"}) {
        INFO(number);
        for (const char* field : {"I", "I8", "U8", "U64"})
            CHECK(given(Dialect::Go, field, number).find(std::string("), got ") + number) != std::string::npos);
    }
}

TEST_CASE("integer text: both dialects hold each integer kind to its range", "[schema]") {
    for (Dialect d : {Dialect::Go, Dialect::V2}) {
        CHECK(given(d, "I", "9223372036854775807") == "9223372036854775807");
        CHECK(given(d, "I", "9223372036854775808") == "error: field I: value 9223372036854775808 overflows int64");
        CHECK(given(d, "I", "-9223372036854775809") == "error: field I: value -9223372036854775809 overflows int64");
        CHECK(given(d, "I", "-18446744073709551616") ==
              "error: field I: expected an integer (int64), got a number beyond 64 bits");
        CHECK(given(d, "U64", "18446744073709551615") == "18446744073709551615");
        CHECK(given(d, "U64", "18446744073709551616") ==
              "error: field U64: expected an integer (uint64), got a number beyond 64 bits");
        CHECK(given(d, "I8", "18446744073709551615") == "error: field I8: value 18446744073709551615 overflows int8");
        CHECK(given(d, "U8", "-9223372036854775808") ==
              "error: field U8: expected an unsigned integer (uint8), got -9223372036854775808");
    }
}

TEST_CASE("integer text: JSON-RPC 2.0 takes any number whose exact value is an integer", "[schema]") {
    CHECK(given(Dialect::V2, "I", "-0") == "0");
    CHECK(given(Dialect::V2, "I", "-0.0") == "0");
    CHECK(given(Dialect::V2, "U8", "-0") == "0");
    CHECK(given(Dialect::V2, "U8", "-0e5") == "0");
    CHECK(given(Dialect::V2, "I", "1.0") == "1");
    CHECK(given(Dialect::V2, "I", "1e2") == "100");
    CHECK(given(Dialect::V2, "I8", "1E0") == "1");
    CHECK(given(Dialect::V2, "I", "100e-2") == "1");
    CHECK(given(Dialect::V2, "I", "-12.50e1") == "-125");
    CHECK(given(Dialect::V2, "U64", "1.8446744073709551615e19") == "18446744073709551615");
    CHECK(given(Dialect::V2, "I", "-9.223372036854775808e18") == "-9223372036854775808");
    CHECK(given(Dialect::V2, "I8", "1.28e2") == "error: field I8: value 128 overflows int8");
    CHECK(given(Dialect::V2, "U8", "-1.0") == "error: field U8: expected an unsigned integer (uint8), got -1");
}

TEST_CASE("integer text: JSON-RPC 2.0 refuses what is not exactly an integer, never rounding it", "[schema]") {
    CHECK(given(Dialect::V2, "I", "2.5") == "error: field I: expected an integer (int64), got 2.5");
    CHECK(given(Dialect::V2, "I", "1.00000000000000001") ==
          "error: field I: expected an integer (int64), got 1.00000000000000001");
    CHECK(given(Dialect::V2, "I", "-1e-400") == "error: field I: expected an integer (int64), got -1e-400");
    CHECK(given(Dialect::V2, "I", "9.007199254740993e15") == "9007199254740993"); // the double is ...992
    CHECK(given(Dialect::V2, "I", "1e19") == "error: field I: value 10000000000000000000 overflows int64");
    CHECK(given(Dialect::V2, "I", "1e20") == "error: field I: expected an integer (int64), got a number beyond 64 bits");
    CHECK(given(Dialect::V2, "I", "1e400") == "error: field I: expected an integer (int64), got a number beyond 64 bits");
    CHECK(given(Dialect::V2, "I", "0e400") == "0");
    CHECK(given(Dialect::V2, "I", "-0.000e-400") == "0");
    CHECK(given(Dialect::V2, "I", "1e-4000") == "error: field I: expected an integer (int64), got 1e-4000");
}

TEST_CASE("integer text: a float keeps -0 in both dialects, however written", "[schema]") {
    for (Dialect d : {Dialect::Go, Dialect::V2})
        for (const char* number : {"-0", "-0.0", "-0e0"}) {
            std::string text = std::string(R"({"D":)") + number + "}";
            json::error_code ec;
            json::value v = parse_json(text, ec);
            NumberLiterals literals(text, &v);
            NormalizeOptions opt;
            opt.literals = &literals;
            opt.exact_integers = d == Dialect::V2;
            NormalizeResult r = normalize(v, *schema(kFields), opt);
            REQUIRE(r.ok());
            CHECK(std::signbit(r.value.at("D").get_double()));
        }
}

TEST_CASE("integer text: without its text a double is refused for an integer", "[schema]") {
    // A value built in code, or parsed from text not at hand: it may have
    // been rounded, and -0 may have been -0.0 or -1e-400.
    NormalizeResult r = normalize(json::value(-0.0), *schema(R"({"type":"integer"})"));
    CHECK(r.error == "params: expected an integer (int64), got the floating-point number -0");
    r = normalize(json::value(100.0), *schema(R"({"type":"integer"})"));
    CHECK(r.error == "params: expected an integer (int64), got the floating-point number 100");
}

TEST_CASE("integer text: a []byte from numbers in Go's dialect takes integer literals only", "[schema]") {
    SchemaPtr bytes = schema(R"({"type":"string","format":"byte"})");
    auto go = [&](std::string_view text) {
        json::error_code ec;
        json::value v = parse_json(text, ec);
        NumberLiterals literals(text, &v);
        NormalizeOptions opt;
        opt.literals = &literals;
        opt.exact_integers = false;
        opt.go_arrays = true;
        std::string out;
        std::string error = normalize_text(v, *bytes, out, opt);
        return error.empty() ? out : "error: " + error;
    };
    CHECK(go("[1,2,3]") == R"("AQID")");
    CHECK(go("[1,-0]") == "error: field [1]: expected an unsigned integer (uint8), got -0");
    CHECK(go("[1,2.0]") == "error: field [1]: expected an integer (uint8), got 2.0");
}

// ---- finding the literals ------------------------------------------------------

TEST_CASE("number literals: each double's text is found where the parse put it", "[schema]") {
    std::string text = R"( {"a" : [1, -0.0, {"b":-0}, 2.50, 3.00], "c\u0064":1e2, "e":"-0.0"} )";
    json::error_code ec;
    json::value v = parse_json(text, ec);
    REQUIRE(!ec);
    NumberLiterals literals(text, &v);
    const auto& a = v.at("a").get_array();
    CHECK(literals.of(a[1]) == "-0.0");
    CHECK(literals.of(a[2].at("b")) == "-0");
    CHECK(literals.of(a[3]).empty()); // a fraction: no integer however written
    CHECK(literals.of(a[4]) == "3.00");
    CHECK(literals.of(v.at("cd")) == "1e2");
    CHECK(literals.of(a[0]).empty()); // an integer literal: the value says it all
    CHECK(literals.of(v.at("e")).empty());
}

TEST_CASE("number literals: a key given twice is matched as the parse kept it, the last", "[schema]") {
    for (std::string text : {R"({"A":-0.0,"A":-0})", R"({"A":-0,"A":-0.0})", R"({"A":[-0.0],"A":{"x":1},"A":[-0]})"}) {
        INFO(text);
        json::error_code ec;
        json::value v = parse_json(text, ec);
        REQUIRE(!ec);
        NumberLiterals literals(text, &v);
        const json::value& kept = v.at("A").is_array() ? v.at("A").get_array()[0] : v.at("A");
        std::string last = text.substr(text.rfind("-0"));
        last = last.substr(0, last.find_first_of("]}"));
        CHECK(literals.of(kept) == last);
    }
}

TEST_CASE("integer literal: the exact reader works on the digits", "[schema]") {
    using S = IntegerLiteral::Status;
    auto exact = [](std::string_view t) { return read_exact_integer(t); };
    CHECK(exact("0.000").status == S::Integer);
    CHECK(exact("120e-1").magnitude == 12);
    CHECK(exact("0.5e1").magnitude == 5);
    CHECK(exact("-0.0").negative == false);
    CHECK(exact("18446744073709551615").magnitude == 18446744073709551615ull);
    CHECK(exact("18446744073709551616").status == S::Beyond64);
    CHECK(exact("1.5").status == S::NotInteger);
    CHECK(read_go_integer("-0", true).status == S::Integer);
    CHECK(read_go_integer("-0", false).status == S::NotInteger);
    CHECK(read_go_integer("99999999999999999999", false).status == S::Beyond64);
}

} // namespace unit_schema_integer_text
