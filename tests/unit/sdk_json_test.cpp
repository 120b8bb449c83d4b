// The C++ plugin SDK's reflection layer: schemas, names and values derived
// from C++ types, and what the host makes of them.
#include "wire/schema.hpp"

#include <plugrpc/base64.hpp>
#include <plugrpc/json.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_sdk_json {

namespace json = boost::json;

namespace sdk_json_test {

struct Args {
    std::int64_t A = 0;
    std::int64_t B = 0;
};
BOOST_DESCRIBE_STRUCT(Args, (), (A, B))

struct Inner {
    std::string Name;
    bool On = false;
};
BOOST_DESCRIBE_STRUCT(Inner, (), (Name, On))

struct Everything {
    bool Flag = false;
    std::int8_t I8 = 0;
    std::int16_t I16 = 0;
    std::int32_t I32 = 0;
    std::int64_t I64 = 0;
    std::uint8_t U8 = 0;
    std::uint16_t U16 = 0;
    std::uint32_t U32 = 0;
    std::uint64_t U64 = 0;
    float F32 = 0;
    double F64 = 0;
    std::string Text;
    std::vector<std::uint8_t> Data;
    std::vector<std::int32_t> List;
    std::array<std::uint8_t, 4> Fixed{};
    std::map<std::string, double> ByName;
    std::map<std::int32_t, std::string> ById;
    Inner One;
    std::vector<Inner> Many;
};
BOOST_DESCRIBE_STRUCT(Everything, (), (Flag, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, Text, Data, List, Fixed,
                                       ByName, ById, One, Many))

namespace deeper {
struct Args {
    int X = 0;
};
BOOST_DESCRIBE_STRUCT(Args, (), (X))
} // namespace deeper

} // namespace sdk_json_test

using namespace sdk_json_test;
using plugrpc::from_json;
using plugrpc::schema_of;
using plugrpc::to_json;

namespace {

template <class T>
std::string schema_text() {
    return json::serialize(schema_of<T>());
}

// What the host calls the type after parsing the SDK's schema.
template <class T>
std::string host_type_name() {
    plugrpc::SchemaResult r = plugrpc::parse_schema(schema_of<T>());
    INFO(r.error);
    REQUIRE(r.schema);
    return plugrpc::type_name(*r.schema);
}

template <class T>
T round_trip(const T& v) {
    std::string text = json::serialize(to_json(v));
    T back{};
    std::string why;
    INFO(text);
    REQUIRE(plugrpc::json_parse_into(text, back, why));
    CHECK(why.empty());
    return back;
}

template <class T>
std::string from_json_error(std::string_view text) {
    T out{};
    std::string why;
    CHECK_FALSE(plugrpc::json_parse_into(text, out, why));
    return why;
}

} // namespace

// ---- names -----------------------------------------------------------------------------

TEST_CASE("sdk: a type's name is its unqualified name", "[sdk]") {
    CHECK(plugrpc::type_name<sdk_json_test::Args>() == "Args");
    CHECK(plugrpc::type_name<sdk_json_test::deeper::Args>() == "Args");
    CHECK(plugrpc::type_name<Everything>() == "Everything");
    CHECK(plugrpc::type_name<int>() == "int");
}

// ---- schemas ----------------------------------------------------------------------------

TEST_CASE("sdk: bool is a JSON boolean", "[sdk]") { CHECK(schema_text<bool>() == R"({"type":"boolean"})"); }

TEST_CASE("sdk: signed integers of every width carry their width", "[sdk]") {
    CHECK(schema_text<std::int8_t>() == R"({"type":"integer","format":"int8"})");
    CHECK(schema_text<std::int16_t>() == R"({"type":"integer","format":"int16"})");
    CHECK(schema_text<std::int32_t>() == R"({"type":"integer","format":"int32"})");
    CHECK(schema_text<std::int64_t>() == R"({"type":"integer","format":"int64"})");
    CHECK(schema_text<long long>() == R"({"type":"integer","format":"int64"})");
}

TEST_CASE("sdk: unsigned integers of every width carry their width", "[sdk]") {
    CHECK(schema_text<std::uint8_t>() == R"({"type":"integer","format":"uint8"})");
    CHECK(schema_text<std::uint16_t>() == R"({"type":"integer","format":"uint16"})");
    CHECK(schema_text<std::uint32_t>() == R"({"type":"integer","format":"uint32"})");
    CHECK(schema_text<std::uint64_t>() == R"({"type":"integer","format":"uint64"})");
}

TEST_CASE("sdk: float and double are numbers with format float and double", "[sdk]") {
    CHECK(schema_text<float>() == R"({"type":"number","format":"float"})");
    CHECK(schema_text<double>() == R"({"type":"number","format":"double"})");
}

TEST_CASE("sdk: std::string is a JSON string", "[sdk]") { CHECK(schema_text<std::string>() == R"({"type":"string"})"); }

TEST_CASE("sdk: a byte vector is a base64 string, as Go's []byte", "[sdk]") {
    CHECK(schema_text<std::vector<std::uint8_t>>() == R"({"type":"string","format":"byte"})");
}

TEST_CASE("sdk: std::vector is an array of its element", "[sdk]") {
    CHECK(schema_text<std::vector<std::int32_t>>() == R"({"type":"array","items":{"type":"integer","format":"int32"}})");
    CHECK(schema_text<std::vector<std::vector<std::uint8_t>>>() ==
          R"({"type":"array","items":{"type":"string","format":"byte"}})");
}

TEST_CASE("sdk: std::array is a fixed array with equal minItems and maxItems", "[sdk]") {
    CHECK(schema_text<std::array<std::uint8_t, 4>>() ==
          R"({"type":"array","items":{"type":"integer","format":"uint8"},"minItems":4,"maxItems":4})");
}

TEST_CASE("sdk: a map with string keys is an object with additionalProperties", "[sdk]") {
    CHECK(schema_text<std::map<std::string, double>>() ==
          R"({"type":"object","additionalProperties":{"type":"number","format":"double"}})");
    CHECK(schema_text<std::unordered_map<std::string, bool>>() ==
          R"({"type":"object","additionalProperties":{"type":"boolean"}})");
}

TEST_CASE("sdk: a map with integer keys names the key type in x-key", "[sdk]") {
    CHECK(schema_text<std::map<std::int32_t, std::string>>() ==
          R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"integer","format":"int32"}})");
    CHECK(schema_text<std::map<std::uint64_t, bool>>() ==
          R"({"type":"object","additionalProperties":{"type":"boolean"},"x-key":{"type":"integer","format":"uint64"}})");
}

TEST_CASE("sdk: a described struct is an object titled with its name, fields in declaration order", "[sdk]") {
    CHECK(schema_text<sdk_json_test::Args>() ==
          R"({"type":"object","title":"Args","properties":{"A":{"type":"integer","format":"int64"},"B":{"type":"integer","format":"int64"}}})");
}

TEST_CASE("sdk: nested described structs carry their own titles", "[sdk]") {
    json::value s = schema_of<Everything>();
    CHECK(s.at("title") == "Everything");
    const json::object& props = s.at("properties").as_object();
    CHECK(json::serialize(props.at("One")) ==
          R"({"type":"object","title":"Inner","properties":{"Name":{"type":"string"},"On":{"type":"boolean"}}})");
    CHECK(props.at("Many").at("items").at("title") == "Inner");
    std::vector<std::string> order;
    for (const auto& kv : props) order.push_back(std::string(kv.key()));
    CHECK(order == std::vector<std::string>{"Flag", "I8", "I16", "I32", "I64", "U8", "U16", "U32", "U64", "F32", "F64",
                                            "Text", "Data", "List", "Fixed", "ByName", "ById", "One", "Many"});
}

TEST_CASE("sdk: the host accepts every schema the SDK derives and names the types as Go would", "[sdk]") {
    CHECK(host_type_name<bool>() == "bool");
    CHECK(host_type_name<std::int8_t>() == "int8");
    CHECK(host_type_name<std::uint64_t>() == "uint64");
    CHECK(host_type_name<float>() == "float32");
    CHECK(host_type_name<double>() == "float64");
    CHECK(host_type_name<std::string>() == "string");
    CHECK(host_type_name<std::vector<std::uint8_t>>() == "[]byte");
    CHECK(host_type_name<std::vector<Inner>>() == "[]Inner");
    CHECK(host_type_name<std::array<std::uint8_t, 4>>() == "[4]uint8");
    CHECK(host_type_name<std::map<std::string, double>>() == "map[string]float64");
    CHECK(host_type_name<std::map<std::int32_t, std::string>>() == "map[int32]string");
    CHECK(host_type_name<Everything>() == "Everything");

    plugrpc::SchemaResult r = plugrpc::parse_schema(schema_of<Everything>());
    REQUIRE(r.schema);
    std::vector<std::string> names;
    for (const auto& f : r.schema->fields) names.push_back(f.name + " " + plugrpc::type_name(*f.type));
    CHECK(names == std::vector<std::string>{"Flag bool", "I8 int8", "I16 int16", "I32 int32", "I64 int64", "U8 uint8",
                                            "U16 uint16", "U32 uint32", "U64 uint64", "F32 float32", "F64 float64",
                                            "Text string", "Data []byte", "List []int32", "Fixed [4]uint8",
                                            "ByName map[string]float64", "ById map[int32]string", "One Inner",
                                            "Many []Inner"});
}

// ---- values -------------------------------------------------------------------------------

TEST_CASE("sdk: a struct becomes a JSON object with fields in declaration order", "[sdk]") {
    CHECK(json::serialize(to_json(sdk_json_test::Args{7, 8})) == R"({"A":7,"B":8})");
}

TEST_CASE("sdk: bytes become base64, integer map keys become decimal strings", "[sdk]") {
    Everything e;
    e.Data = {'h', 'i', 0xff};
    e.ById = {{-5, "minus"}, {12, "twelve"}};
    json::value v = to_json(e);
    CHECK(v.at("Data") == "aGn/");
    CHECK(json::serialize(v.at("ById")) == R"({"-5":"minus","12":"twelve"})");
    CHECK(json::serialize(v.at("Fixed")) == "[0,0,0,0]");
}

TEST_CASE("sdk: every supported type survives a trip through JSON", "[sdk]") {
    Everything e;
    e.Flag = true;
    e.I8 = -128;
    e.I16 = -32768;
    e.I32 = -2147483647 - 1;
    e.I64 = INT64_MIN;
    e.U8 = 255;
    e.U16 = 65535;
    e.U32 = 4294967295u;
    e.U64 = UINT64_MAX;
    e.F32 = 1.5f;
    e.F64 = -0.125;
    e.Text = "h\xc3\xa9llo \"q\"";
    e.Data = {0, 1, 2, 253, 254, 255};
    e.List = {3, -1, 0};
    e.Fixed = {9, 8, 7, 6};
    e.ByName = {{"pi", 3.14159}, {"e", 2.71828}};
    e.ById = {{-1, "a"}, {2147483647, "b"}};
    e.One = {"one", true};
    e.Many = {{"x", false}, {"y", true}};

    Everything b = round_trip(e);
    CHECK(b.Flag == e.Flag);
    CHECK(b.I8 == e.I8);
    CHECK(b.I16 == e.I16);
    CHECK(b.I32 == e.I32);
    CHECK(b.I64 == e.I64);
    CHECK(b.U8 == e.U8);
    CHECK(b.U16 == e.U16);
    CHECK(b.U32 == e.U32);
    CHECK(b.U64 == e.U64);
    CHECK(b.F32 == e.F32);
    CHECK(b.F64 == e.F64);
    CHECK(b.Text == e.Text);
    CHECK(b.Data == e.Data);
    CHECK(b.List == e.List);
    CHECK(b.Fixed == e.Fixed);
    CHECK(b.ByName == e.ByName);
    CHECK(b.ById == e.ById);
    CHECK(b.One.Name == "one");
    CHECK(b.One.On);
    REQUIRE(b.Many.size() == 2);
    CHECK(b.Many[1].Name == "y");
    CHECK(b.Many[1].On);
}

TEST_CASE("sdk: what the host normalizes, the SDK reads back unchanged", "[sdk]") {
    Everything e;
    e.I64 = -42;
    e.U64 = UINT64_MAX;
    e.Data = {1, 2, 3};
    e.ById = {{7, "seven"}};
    e.Many = {{"m", true}};
    plugrpc::SchemaResult s = plugrpc::parse_schema(schema_of<Everything>());
    REQUIRE(s.schema);
    plugrpc::NormalizeResult n = plugrpc::normalize(to_json(e), *s.schema);
    INFO(n.error);
    REQUIRE(n.ok());
    CHECK(n.value == to_json(e));
}

TEST_CASE("sdk: fields left out or null keep their zero value", "[sdk]") {
    sdk_json_test::Args a{1, 2};
    std::string why;
    REQUIRE(plugrpc::json_parse_into(R"({"B":5})", a, why));
    CHECK(a.A == 1); // untouched, as Go's decoder leaves it
    CHECK(a.B == 5);
    Everything e;
    REQUIRE(plugrpc::json_parse_into(R"({"Text":null,"List":null,"I32":null,"Data":null,"ByName":null})", e, why));
    CHECK(e.Text.empty());
    CHECK(e.List.empty());
    CHECK(e.I32 == 0);
}

TEST_CASE("sdk: unknown fields are ignored when reading a struct", "[sdk]") {
    sdk_json_test::Args a;
    std::string why;
    REQUIRE(plugrpc::json_parse_into(R"({"A":3,"Z":[1,2],"B":4})", a, why));
    CHECK(a.A == 3);
    CHECK(a.B == 4);
}

TEST_CASE("sdk: reading a value that does not fit fails, naming the field", "[sdk]") {
    CHECK_THAT(from_json_error<Everything>(R"({"I8":300})"), Catch::StartsWith("I8: expected a number that fits "));
    CHECK_THAT(from_json_error<Everything>(R"({"U8":-1})"), Catch::StartsWith("U8: expected a number that fits "));
    CHECK_THAT(from_json_error<Everything>(R"({"I64":7.5})"), Catch::StartsWith("I64: expected a number that fits "));
    CHECK(from_json_error<Everything>(R"({"Flag":1})") == "Flag: expected a boolean");
    CHECK(from_json_error<Everything>(R"({"Text":5})") == "Text: expected a string");
    CHECK(from_json_error<Everything>(R"({"List":{}})") == "List: expected an array");
    CHECK(from_json_error<Everything>(R"({"List":[1,"x"]})") == "List: [1]: expected a number that fits int");
    CHECK(from_json_error<Everything>(R"({"Fixed":[1,2,3,4,5]})") == "Fixed: too many elements");
    CHECK(from_json_error<Everything>(R"({"Data":"***"})") == "Data: expected base64 text");
    CHECK(from_json_error<Everything>(R"({"ById":{"x":"a"}})") == R"(ById: map key "x" is not an integer)");
    CHECK(from_json_error<Everything>(R"({"ByName":[]})") == "ByName: expected an object");
    CHECK(from_json_error<Everything>(R"({"One":{"On":"yes"}})") == "One: On: expected a boolean");
    CHECK(from_json_error<Everything>("[]") == "expected an object");
}

TEST_CASE("sdk: text that is not JSON fails with the parser's reason", "[sdk]") {
    CHECK_THAT(from_json_error<sdk_json_test::Args>(R"({"A":)"), Catch::StartsWith("not JSON: "));
}

TEST_CASE("sdk: integral doubles are read into integers", "[sdk]") {
    sdk_json_test::Args a;
    std::string why;
    REQUIRE(plugrpc::json_parse_into(R"({"A":7.0,"B":-2.0})", a, why));
    CHECK(a.A == 7);
    CHECK(a.B == -2);
}

// ---- base64 -------------------------------------------------------------------------------

TEST_CASE("sdk: base64 matches the standard padded alphabet", "[sdk]") {
    CHECK(plugrpc::base64_encode("") == "");
    CHECK(plugrpc::base64_encode("f") == "Zg==");
    CHECK(plugrpc::base64_encode("fo") == "Zm8=");
    CHECK(plugrpc::base64_encode("foo") == "Zm9v");
    CHECK(plugrpc::base64_encode("foob") == "Zm9vYg==");
    CHECK(plugrpc::base64_encode("fooba") == "Zm9vYmE=");
    CHECK(plugrpc::base64_encode("foobar") == "Zm9vYmFy");
    CHECK(plugrpc::base64_encode(std::string("\xfb\xff", 2)) == "+/8=");
}

TEST_CASE("sdk: base64 decodes what it encodes, for every length and byte", "[sdk]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (std::size_t n = 0; n <= all.size(); n += 37) {
        std::string in = all.substr(0, n), out;
        REQUIRE(plugrpc::base64_decode(plugrpc::base64_encode(in), out));
        CHECK(out == in);
    }
}

TEST_CASE("sdk: base64 refuses bad length, characters and padding", "[sdk]") {
    std::string out;
    for (std::string_view bad : {"Zg=", "Zg", "Z===", "Zm9v=", "Zg==Zg==", "Z=g=", "Zm 9", "Zm9-", "Zm9_"}) {
        INFO(bad);
        CHECK_FALSE(plugrpc::base64_decode(bad, out));
    }
}

namespace sdk_template_name {
template <class T>
struct Pair {
    T First, Second;
};
} // namespace sdk_template_name

TEST_CASE("sdk: the name of a template type keeps its arguments and drops only its own namespace", "[sdk]") {
    CHECK(plugrpc::type_name<sdk_template_name::Pair<int>>() == "Pair<int>");
    CHECK(plugrpc::type_name<sdk_template_name::Pair<std::string>>().rfind("Pair<std::", 0) == 0);
}

TEST_CASE("sdk: boost::json::value is any JSON: schema {}, read and written as it is", "[sdk]") {
    CHECK(schema_text<json::value>() == "{}");
    json::value mixed = json::array{"hello", 5, json::object{{"a", json::array{true, nullptr, -1.5}}}};
    CHECK(round_trip(mixed) == mixed);
    CHECK(round_trip(json::value(nullptr)).is_null());
    json::value got;
    std::string why;
    REQUIRE(plugrpc::json_parse_into(R"([1,2,4])", got, why));
    CHECK(got == json::array{1, 2, 4});
}

} // namespace unit_sdk_json
