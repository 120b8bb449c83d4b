// The text values cross the plugin ABI in (abi.h, "Values as text"): what
// JSON cannot say — NaN, infinities, -0, bytes that are not UTF-8 — is
// written in the extended form and read back to the same value, bit for
// bit; the standard form says what it can.
#include <plugrpc/json.hpp>
#include <plugrpc/json_parse_extended.hpp>
#include <plugrpc/json_write.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

// Each file in its own namespace: unity builds compile several together.
namespace unit_sdk_text_form {

namespace json = boost::json;
using plugrpc::TextForm;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string text(const json::value& v, TextForm form = TextForm::Extended) {
    std::string out;
    plugrpc::append_json_text(out, v, form);
    return out;
}

json::value parse(std::string_view t) {
    std::string why;
    json::value v = plugrpc::parse_extended_json(t, why);
    INFO(t);
    REQUIRE(why == "");
    return v;
}

// Values compared by their bits: NaN equals NaN, -0 differs from 0.
bool same(const json::value& a, const json::value& b) {
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
    case json::kind::double_:
        return (std::isnan(a.get_double()) && std::isnan(b.get_double())) ||
               std::bit_cast<std::uint64_t>(a.get_double()) == std::bit_cast<std::uint64_t>(b.get_double());
    case json::kind::array: {
        const auto &x = a.get_array(), &y = b.get_array();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!same(x[i], y[i])) return false;
        return true;
    }
    case json::kind::object: {
        const auto &x = a.get_object(), &y = b.get_object();
        if (x.size() != y.size()) return false;
        for (const auto& kv : x) {
            const json::value* other = y.if_contains(kv.key());
            if (!other || !same(kv.value(), *other)) return false;
        }
        return true;
    }
    default: return a == b;
    }
}

} // namespace

TEST_CASE("text form: NaN, infinities and -0 are written as tokens JSON lacks, and read back", "[sdk]") {
    CHECK(text(kNaN) == "NaN");
    CHECK(text(kInf) == "Infinity");
    CHECK(text(-kInf) == "-Infinity");
    CHECK(text(-0.0) == "-0.0");
    CHECK(text(0.0) == "0.0");
    CHECK(text(1.5) == "1.5");
    CHECK(text(1e21) == "1e+21");
    CHECK(std::isnan(parse("NaN").get_double()));
    CHECK(parse("Infinity").get_double() == kInf);
    CHECK(parse("-Infinity").get_double() == -kInf);
    CHECK(std::signbit(parse("-0.0").get_double()));
    CHECK(parse("[1,-2,18446744073709551615,2.5]") == json::parse("[1,-2,18446744073709551615,2.5]"));
}

TEST_CASE("text form: bytes that are not UTF-8 are lone surrogate escapes, and read back as those bytes", "[sdk]") {
    CHECK(text(json::string("a\xff" "b")) == R"("a\udcffb")");
    // A cut sequence, an overlong form, an encoded surrogate: each byte on its own.
    CHECK(text(json::string("\xc3")) == R"("\udcc3")");
    CHECK(text(json::string("\xc0\xaf")) == R"("\udcc0\udcaf")");
    CHECK(text(json::string("\xed\xa0\x80")) == R"("\udced\udca0\udc80")");
    // Valid UTF-8 and U+FFFD itself stay as they are.
    CHECK(text(json::string("h\xc3\xa9llo \xef\xbf\xbd")) == "\"h\xc3\xa9llo \xef\xbf\xbd\"");
    CHECK(parse(R"("a\udcffb")").get_string() == "a\xff" "b");
    CHECK(parse(R"("\udced\udca0\udc80")").get_string() == "\xed\xa0\x80");
    // A real surrogate pair is the character it encodes; another lone surrogate is U+FFFD, as Go reads it.
    CHECK(parse(R"("\ud83d\ude00")").get_string() == "\xf0\x9f\x98\x80");
    CHECK(parse(R"("\ud800x\udc00")").get_string() == "\xef\xbf\xbdx\xef\xbf\xbd");
}

TEST_CASE("text form: every value a gob client can send survives the extended form bit for bit", "[sdk]") {
    json::object o;
    o["F"] = json::array{kNaN, kInf, -kInf, -0.0, 0.0, 5e-324, -1.7976931348623157e308, 0.1};
    o["S"] = "\x80\x81 ok \xff\xfe\xc3(";
    o["K\xff"] = 1;
    o["K\xfe"] = 2;
    o["K\xef\xbf\xbd"] = 3;
    o["Ctl"] = "\b\f\n\r\t\x01\x7f\"\\/";
    json::value v = o;
    json::value back = parse(text(v));
    CHECK(same(v, back));
    CHECK(back.as_object().size() == 6);
}

TEST_CASE("text form: standard JSON for older plugins writes U+FFFD for each stray byte", "[sdk]") {
    CHECK(text(json::string("a\xff" "b"), TextForm::Standard) == "\"a\xef\xbf\xbd" "b\"");
    CHECK(text(-0.0, TextForm::Standard) == "-0.0");
    CHECK(json::parse(text(json::value(json::object{{"K\xff", 1}}), TextForm::Standard)).as_object().contains("K\xef\xbf\xbd"));
}

TEST_CASE("text form: what is not JSON in either form is refused with the place", "[sdk]") {
    for (const char* bad : {"", "nan", "Inf", "[1,]", "{\"a\" 1}", "\"\\x\"", "\"a", "01", "-", "1.", "1e", "[1] 2", "\"\x01\""}) {
        std::string why;
        plugrpc::parse_extended_json(bad, why);
        INFO(bad);
        CHECK(why != "");
    }
    std::string why;
    plugrpc::parse_extended_json(std::string(100, '['), why, {}, 64);
    CHECK(why.find("nested too deep") == 0);
}

// ---- the C++ types of a method ---------------------------------------------

struct Values {
    double D;
    float F;
    std::string S;
    std::vector<double> List;
    std::map<std::string, std::int64_t> Keys;
};
BOOST_DESCRIBE_STRUCT(Values, (), (D, F, S, List, Keys))

TEST_CASE("text form: the SDK reads the extended form into C++ values and writes them back the same", "[sdk]") {
    Values in;
    std::string why;
    REQUIRE(plugrpc::json_parse_into(
        R"({"D":NaN,"F":-Infinity,"S":"\udcff\udcfe","List":[-0.0,Infinity,1.5],"Keys":{"a\udc80":1,"a\udc81":2}})", in,
        why));
    CHECK(std::isnan(in.D));
    CHECK(in.F == -std::numeric_limits<float>::infinity());
    CHECK(in.S == "\xff\xfe");
    REQUIRE(in.List.size() == 3);
    CHECK(std::signbit(in.List[0]));
    CHECK(in.List[1] == kInf);
    CHECK(in.Keys == std::map<std::string, std::int64_t>{{"a\x80", 1}, {"a\x81", 2}});
    CHECK(text(plugrpc::to_json(in)) ==
          R"({"D":NaN,"F":-Infinity,"S":"\udcff\udcfe","List":[-0.0,Infinity,1.5],"Keys":{"a\udc80":1,"a\udc81":2}})");
}

TEST_CASE("text form: -0 in JSON is -0.0 for a float and 0 for an integer", "[sdk]") {
    Values v;
    std::string why;
    REQUIRE(plugrpc::json_parse_into(R"({"D":-0,"List":[-0]})", v, why));
    CHECK(std::signbit(v.D));
    CHECK(std::signbit(v.List.at(0)));
    std::map<std::string, std::int64_t> m;
    REQUIRE(plugrpc::json_parse_into(R"({"x":-0})", m, why));
    CHECK(m.at("x") == 0);
}

} // namespace unit_sdk_text_form
