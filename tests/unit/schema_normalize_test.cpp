// Normalizing: checking a JSON value against a schema and bringing it to the
// canonical form a method sees, as Go's encoding/json would decode it.
#include "wire/number_literals.hpp"
#include "wire/schema.hpp"

#include <plugrpc/json_parse.hpp>
#include <plugrpc/json_write.hpp>

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_schema_normalize {

namespace json = boost::json;
using namespace plugrpc;

namespace {

const char* const kArgsSchema =
    R"({"type":"object","title":"Args","properties":{"A":{"type":"integer","format":"int64"},"B":{"type":"integer","format":"int64"}}})";

SchemaPtr schema(std::string_view text) {
    SchemaResult r = parse_schema(text);
    INFO(r.error);
    REQUIRE(r.schema);
    return r.schema;
}

SchemaPtr integer(std::string_view format) { return schema(R"({"type":"integer","format":")" + std::string(format) + "\"}"); }

// The canonical value, or "error: <why>", for JSON-RPC 2.0 (the default
// options), parsed as the server parses it, numbers judged on their text.
// Every case also checks the text form (normalize_text, what the JSON
// codecs hand a handler) against the value form: the same text, or the same error.
std::string norm(std::string_view value, const SchemaPtr& s) {
    json::error_code ec;
    json::value v = plugrpc::parse_json(value, ec);
    REQUIRE(!ec);
    NumberLiterals literals(value, &v);
    NormalizeOptions opt;
    opt.literals = &literals;
    NormalizeResult r = normalize(v, *s, opt);
    std::string text;
    std::string text_error = normalize_text(v, *s, text, opt);
    if (!r.ok()) {
        CHECK(r.value.is_null());
        CHECK(text_error == r.error);
        return "error: " + r.error;
    }
    CHECK(text_error.empty());
    std::string value_text; // the value as a plugin reads it
    plugrpc::append_json_text(value_text, r.value, plugrpc::TextForm::Standard);
    CHECK(text == value_text);
    return value_text;
}

std::string norm(std::string_view value, std::string_view schema_text) { return norm(value, schema(schema_text)); }

} // namespace

// ---- structs -------------------------------------------------------------------------

TEST_CASE("normalize: a struct given in full comes back unchanged", "[schema]") {
    CHECK(norm(R"({"A":7,"B":8})", kArgsSchema) == R"({"A":7,"B":8})");
}

TEST_CASE("normalize: fields come back in declaration order", "[schema]") {
    CHECK(norm(R"({"B":8,"A":7})", kArgsSchema) == R"({"A":7,"B":8})");
}

TEST_CASE("normalize: missing struct fields are zero", "[schema]") {
    CHECK(norm(R"({"A":7})", kArgsSchema) == R"({"A":7,"B":0})");
    CHECK(norm("{}", kArgsSchema) == R"({"A":0,"B":0})");
}

TEST_CASE("normalize: unknown struct fields are dropped", "[schema]") {
    CHECK(norm(R"({"A":1,"C":{"deep":[1,2]},"B":2})", kArgsSchema) == R"({"A":1,"B":2})");
}

TEST_CASE("normalize: field names match without regard to case", "[schema]") {
    CHECK(norm(R"({"a":3,"b":4})", kArgsSchema) == R"({"A":3,"B":4})");
}

TEST_CASE("normalize: of two members naming one field the last wins, as each overwrites it in Go", "[schema]") {
    CHECK(norm(R"({"A":7,"B":8,"a":9})", kArgsSchema) == R"({"A":9,"B":8})");
    CHECK(norm(R"({"a":9,"A":7,"B":8})", kArgsSchema) == R"({"A":7,"B":8})");
}

TEST_CASE("normalize: field names fold as Go's encoding/json folds them", "[schema]") {
    const char* s = R"({"type":"object","properties":{"Sum":{"type":"integer"},"Key":{"type":"integer"},"X_1":{"type":"integer"}}})";
    // 'ſ' (U+017F) is s, 'K' (U+212A, Kelvin) is k; other bytes only as themselves.
    CHECK(norm("{\"\xC5\xBF" "UM\":1,\"\xE2\x84\xAA" "ey\":2,\"x_1\":3}", s) == R"({"Sum":1,"Key":2,"X_1":3})");
    CHECK(norm(R"({"x-1":3,"Su":1,"Summ":1})", s) == R"({"Sum":0,"Key":0,"X_1":0})");
}

TEST_CASE("normalize: an exact field name wins over a case-insensitive one", "[schema]") {
    const char* s = R"({"type":"object","properties":{"name":{"type":"string"},"Name":{"type":"string"}}})";
    CHECK(norm(R"({"Name":"upper","name":"lower"})", s) == R"({"name":"lower","Name":"upper"})");
}

TEST_CASE("normalize: an array for a struct fills its fields in order", "[schema]") {
    CHECK(norm("[7,8]", kArgsSchema) == R"({"A":7,"B":8})");
}

TEST_CASE("normalize: more positional values than fields is refused", "[schema]") {
    CHECK(norm("[1,2,3]", kArgsSchema) == "error: params: expected 2 positional values for Args, got 3");
}

TEST_CASE("normalize: fewer positional values than fields is refused, not filled with zeros", "[schema]") {
    CHECK(norm("[7]", kArgsSchema) == "error: params: expected 2 positional values for Args, got 1");
    CHECK(norm("[]", kArgsSchema) == "error: params: expected 2 positional values for Args, got 0");
    CHECK(norm(R"({"A":7})", kArgsSchema) == R"({"A":7,"B":0})"); // by name, a missing field is zero, as in Go
}

TEST_CASE("normalize: a scalar for a struct is refused, naming the struct", "[schema]") {
    CHECK(norm(R"("x")", kArgsSchema) == "error: params: expected an object Args, got a string");
    CHECK(norm("5", kArgsSchema) == "error: params: expected an object Args, got an integer");
}

TEST_CASE("normalize: an error in a struct field names the field", "[schema]") {
    CHECK(norm(R"({"A":"seven"})", kArgsSchema) == "error: field A: expected an integer (int64), got a string");
    CHECK(norm(R"([1,true])", kArgsSchema) == "error: field B: expected an integer (int64), got a boolean");
}

TEST_CASE("normalize: an error deep inside names the full path", "[schema]") {
    auto s = schema(R"({"type":"object","title":"Order","properties":{
        "Items":{"type":"array","items":{"type":"object","title":"Item","properties":{"Name":{"type":"string"},"Tags":{"type":"object","additionalProperties":{"type":"boolean"}}}}}}})");
    CHECK(norm(R"({"Items":[{"Name":"a"},{"Name":5}]})", s) == "error: field Items[1].Name: expected a string, got an integer");
    CHECK(norm(R"({"Items":[{"Tags":{"x":true,"y":1}}]})", s) == "error: field Items[0].Tags[y]: expected a boolean, got an integer");
}

// ---- null ------------------------------------------------------------------------------

TEST_CASE("normalize: null is the zero value of a struct, string, bytes, slice, array and map", "[schema]") {
    CHECK(norm("null", kArgsSchema) == R"({"A":0,"B":0})");
    CHECK(norm("null", R"({"type":"string"})") == R"("")");
    CHECK(norm("null", R"({"type":"string","format":"byte"})") == R"("")");
    CHECK(norm("null", R"({"type":"array","items":{"type":"integer"}})") == "[]");
    CHECK(norm("null", R"({"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":2})") == "[0,0]");
    CHECK(norm("null", R"({"type":"object","additionalProperties":{"type":"integer"}})") == "{}");
    CHECK(norm(R"({"A":null,"B":2})", R"({"type":"object","properties":{"A":{"type":"string"},"B":{"type":"integer"}}})") ==
          R"({"A":"","B":2})");
}

TEST_CASE("normalize: null is the zero value of integers, floats and booleans, as in Go", "[schema]") {
    CHECK(norm("null", R"({"type":"integer"})") == "0");
    CHECK(norm("null", R"({"type":"integer","format":"uint8"})") == "0");
    CHECK(norm("null", R"({"type":"number"})") == "0.0");
    CHECK(norm("null", R"({"type":"boolean"})") == "false");
    CHECK(norm(R"({"A":null,"B":2})", kArgsSchema) == R"({"A":0,"B":2})");
}

// ---- integers ----------------------------------------------------------------------------

TEST_CASE("normalize: int8 holds -128..127 and refuses what overflows", "[schema]") {
    auto s = integer("int8");
    CHECK(norm("127", s) == "127");
    CHECK(norm("-128", s) == "-128");
    CHECK(norm("128", s) == "error: params: value 128 overflows int8");
    CHECK(norm("-129", s) == "error: params: value -129 overflows int8");
}

TEST_CASE("normalize: int16 and int32 are range-checked for their width", "[schema]") {
    CHECK(norm("32767", integer("int16")) == "32767");
    CHECK(norm("32768", integer("int16")) == "error: params: value 32768 overflows int16");
    CHECK(norm("-2147483648", integer("int32")) == "-2147483648");
    CHECK(norm("-2147483649", integer("int32")) == "error: params: value -2147483649 overflows int32");
}

TEST_CASE("normalize: int64 holds its full range and refuses 2^63", "[schema]") {
    auto s = integer("int64");
    CHECK(norm("9223372036854775807", s) == "9223372036854775807");
    CHECK(norm("-9223372036854775808", s) == "-9223372036854775808");
    CHECK(norm("9223372036854775808", s) == "error: params: value 9223372036854775808 overflows int64");
}

TEST_CASE("normalize: uint8 holds 0..255 and refuses what overflows", "[schema]") {
    auto s = integer("uint8");
    CHECK(norm("0", s) == "0");
    CHECK(norm("255", s) == "255");
    CHECK(norm("256", s) == "error: params: value 256 overflows uint8");
}

TEST_CASE("normalize: uint64 holds its full range and refuses 2^64", "[schema]") {
    auto s = integer("uint64");
    CHECK(norm("18446744073709551615", s) == "18446744073709551615");
    NormalizeResult small = normalize(json::parse("5"), *s);
    REQUIRE(small.ok());
    CHECK(small.value.is_uint64());
    std::string over = norm("18446744073709551616", s);
    CHECK(over == "error: params: expected an integer (uint64), got a number beyond 64 bits");
}

TEST_CASE("normalize: a negative number for an unsigned integer is refused", "[schema]") {
    CHECK(norm("-1", integer("uint32")) == "error: params: expected an unsigned integer (uint32), got -1");
    CHECK(norm("-1", integer("uint64")) == "error: params: expected an unsigned integer (uint64), got -1");
    }

// Go's dialect reads integers only from integer literals: see
// schema_integer_text_test.cpp for both rules, side by side.
TEST_CASE("normalize: JSON-RPC 2.0 takes a number whose exact value is an integer, however written", "[schema]") {
    CHECK(norm("7.0", integer("int64")) == "7");
    CHECK(norm("1e2", integer("int64")) == "100");
    CHECK(norm("-3.0", integer("int8")) == "-3");
    CHECK(norm("2.55e2", integer("uint8")) == "255");
    CHECK(norm("-0.0", integer("uint8")) == "0");
    CHECK(norm("-3.0", integer("uint8")) == "error: params: expected an unsigned integer (uint8), got -3");
    CHECK(norm("2.56e2", integer("uint8")) == "error: params: value 256 overflows uint8");
}

TEST_CASE("normalize: a number a double cannot hold exactly is read from its digits for an integer, never rounded", "[schema]") {
    // 9.007199254740993e15 reads as the double 9007199254740992.
    CHECK(norm("9.007199254740993e15", integer("int64")) == "9007199254740993");
    CHECK(norm("9007199254740993.0", integer("uint64")) == "9007199254740993");
    // Fractions that are all but integers, and ones too small for a double.
    CHECK(norm("1.00000000000000001", integer("int64")) == "error: params: expected an integer (int64), got 1.00000000000000001");
    CHECK(norm("1e-300", integer("int64")) == "error: params: expected an integer (int64), got 1e-300");
    CHECK(norm("-1e-400", integer("int64")) == "error: params: expected an integer (int64), got -1e-400");
    CHECK(norm("2.5", integer("int32")) == "error: params: expected an integer (int32), got 2.5");
    CHECK(norm("-0.5", integer("uint8")) == "error: params: expected an integer (uint8), got -0.5");
}

TEST_CASE("normalize: an integer literal beyond 64 bits is refused, never rounded", "[schema]") {
    CHECK(norm("123456789012345678901234567890", integer("int64")) ==
          "error: params: expected an integer (int64), got a number beyond 64 bits");
    CHECK(norm("18446744073709551616", integer("uint64")) ==
          "error: params: expected an integer (uint64), got a number beyond 64 bits");
    CHECK(norm("-92233720368547758080", integer("int64")) ==
          "error: params: expected an integer (int64), got a number beyond 64 bits");
    CHECK(norm("1e400", integer("int64")) == "error: params: expected an integer (int64), got a number beyond 64 bits");
    CHECK(norm("1.8446744073709551616e19", integer("uint64")) ==
          "error: params: expected an integer (uint64), got a number beyond 64 bits");
    // The edges themselves are integer literals, read exactly.
    CHECK(norm("18446744073709551615", integer("uint64")) == "18446744073709551615");
    CHECK(norm("-9223372036854775808", integer("int64")) == "-9223372036854775808");
    CHECK(norm("9223372036854775808", integer("int64")) == "error: params: value 9223372036854775808 overflows int64");
}

TEST_CASE("normalize: a refused number in a struct names the field", "[schema]") {
    CHECK(norm(R"({"A":2.5,"B":1})", schema(kArgsSchema)) == "error: field A: expected an integer (int64), got 2.5");
    CHECK(norm(R"({"A":1,"B":9.007199254740993e-15})", schema(kArgsSchema)) ==
          "error: field B: expected an integer (int64), got 9.007199254740993e-15");
}

TEST_CASE("normalize: without struct_from_array an array for a struct is refused at any depth, as Go's encoding/json", "[schema]") {
    // Go 1.19: "json: cannot unmarshal array into Go value of type main.Args",
    // and for a nested one "... into Go struct field Outer.In of type main.Inner".
    NormalizeOptions go;
    go.struct_from_array = false;
    auto strict = [&](std::string_view value, const SchemaPtr& s) {
        std::string out;
        std::string error = normalize_text(json::parse(value), *s, out, go);
        return error.empty() ? out : "error: " + error;
    };
    SchemaPtr args = schema(kArgsSchema);
    CHECK(strict("[7,8]", args) == "error: params: expected an object Args, got an array");
    CHECK(strict(R"({"A":7,"B":8})", args) == R"({"A":7,"B":8})");
    SchemaPtr outer = schema(R"({"type":"object","title":"Outer","properties":{"In":)" + std::string(kArgsSchema) +
                             R"(,"L":{"type":"array","items":)" + kArgsSchema + R"(},"M":{"type":"object","additionalProperties":)" +
                             kArgsSchema + "}}}");
    CHECK(strict(R"({"In":[5]})", outer) == "error: field In: expected an object Args, got an array");
    CHECK(strict(R"({"L":[{"A":1},[2]]})", outer) == "error: field L[1]: expected an object Args, got an array");
    CHECK(strict(R"({"M":{"k":[3]}})", outer) == "error: field M[k]: expected an object Args, got an array");
    // By default (JSON-RPC 2.0) an array fills the fields in order, every one.
    CHECK(norm(R"({"In":[5,6]})", outer) == R"({"In":{"A":5,"B":6},"L":[],"M":{}})");
    CHECK(norm(R"({"In":[5]})", outer) == "error: field In: expected 2 positional values for Args, got 1");
}

TEST_CASE("normalize: with go_arrays a longer array fills [N]T and numbers fill a []byte, as Go's encoding/json", "[schema]") {
    // Go 1.19: {"Arr":[1,2,3]} into [2]int is [1,2]; {"Bs":[1,2,3]} into []byte is "AQID".
    NormalizeOptions go;
    go.go_arrays = true;
    go.exact_integers = false;
    auto as_go = [&](std::string_view value, std::string_view s) {
        json::error_code ec;
        json::value v = plugrpc::parse_json(value, ec);
        NumberLiterals literals(value, &v);
        go.literals = &literals;
        std::string out;
        std::string error = normalize_text(v, *schema(s), out, go);
        CHECK_FALSE(normalize(v, *schema(s)).ok()); // the default refuses what go_arrays takes
        return error.empty() ? out : "error: " + error;
    };
    const char* fixed = R"({"type":"array","items":{"type":"integer","format":"uint8"},"minItems":2,"maxItems":2})";
    CHECK(as_go("[1,2,3]", fixed) == "[1,2]");
    CHECK(as_go(R"([1,2,"not checked"])", fixed) == "[1,2]");
    const char* bytes = R"({"type":"string","format":"byte"})";
    CHECK(as_go("[1,2,3]", bytes) == R"("AQID")");
    CHECK(as_go("[0,null,255]", bytes) == R"("AAD/")");
    CHECK(as_go("[256]", bytes) == "error: field [0]: value 256 overflows uint8");
    CHECK(as_go("[1,-1]", bytes) == "error: field [1]: expected an unsigned integer (uint8), got -1");
    CHECK(as_go("[2.5]", bytes) == "error: field [0]: expected an integer (uint8), got 2.5");
    CHECK(as_go(R"(["a"])", bytes) == "error: field [0]: expected an integer (uint8), got a string");
}

TEST_CASE("normalize: a fractional number such as 7.5 is refused for an integer", "[schema]") {
    CHECK(norm("7.5", integer("int64")) == "error: params: expected an integer (int64), got 7.5");
}

TEST_CASE("normalize: a non-number for an integer is refused, naming the type", "[schema]") {
    CHECK(norm(R"("7")", integer("int32")) == "error: params: expected an integer (int32), got a string");
    CHECK(norm("true", integer("uint16")) == "error: params: expected an integer (uint16), got a boolean");
    CHECK(norm("[7]", integer("int64")) == "error: params: expected an integer (int64), got an array");
}

// ---- floats, booleans, strings --------------------------------------------------------------

TEST_CASE("normalize: integers are accepted for a float and become doubles", "[schema]") {
    NormalizeResult r = normalize(json::parse("3"), *schema(R"({"type":"number"})"));
    REQUIRE(r.ok());
    CHECK(r.value.is_double());
    CHECK(r.value.get_double() == 3.0);
}

TEST_CASE("normalize: a float32 refuses values beyond its range", "[schema]") {
    auto s = schema(R"({"type":"number","format":"float"})");
    CHECK(norm("1.5", s) == "1.5");
    CHECK(norm("1e39", s) == "error: params: value overflows float32");
    CHECK(norm("1e39", R"({"type":"number"})") == "1e+39");
}

TEST_CASE("normalize: a non-number for a float is refused", "[schema]") {
    CHECK(norm(R"("1.5")", R"({"type":"number"})") == "error: params: expected a number, got a string");
}

TEST_CASE("normalize: booleans and strings must have their own JSON type", "[schema]") {
    CHECK(norm("true", R"({"type":"boolean"})") == "true");
    CHECK(norm("1", R"({"type":"boolean"})") == "error: params: expected a boolean, got an integer");
    CHECK(norm(R"("hi")", R"({"type":"string"})") == R"("hi")");
    CHECK(norm("5", R"({"type":"string"})") == "error: params: expected a string, got an integer");
}

// ---- bytes ----------------------------------------------------------------------------------

TEST_CASE("normalize: bytes must be valid padded base64", "[schema]") {
    const char* s = R"({"type":"string","format":"byte"})";
    CHECK(norm(R"("aGVsbG8=")", s) == R"("aGVsbG8=")");
    CHECK(norm(R"("")", s) == R"("")");
    CHECK(norm(R"("aGVsbG8")", s) == "error: params: not valid base64");
    CHECK(norm(R"("aGVs!G8=")", s) == "error: params: not valid base64");
    CHECK(norm(R"("a===")", s) == "error: params: not valid base64");
    CHECK(norm(R"("aG=s")", s) == "error: params: not valid base64");
    CHECK(norm("[104,105]", s) == "error: params: expected a base64 string, got an array");
}

// ---- slices, arrays, maps --------------------------------------------------------------------

TEST_CASE("normalize: slice elements are normalized and errors name the index", "[schema]") {
    const char* s = R"({"type":"array","items":{"type":"integer","format":"uint8"}})";
    CHECK(norm("[1,2,3]", s) == "[1,2,3]");
    CHECK(norm("[1,2.5,3]", s) == "error: field [1]: expected an integer (uint8), got 2.5");
    CHECK(norm("[1,256]", s) == "error: field [1]: value 256 overflows uint8");
    CHECK(norm(R"({"0":1})", s) == "error: params: expected an array, got an object");
}

TEST_CASE("normalize: a short fixed array is padded with zero values", "[schema]") {
    const char* s = R"({"type":"array","items":{"type":"integer","format":"uint8"},"minItems":4,"maxItems":4})";
    CHECK(norm("[1,2]", s) == "[1,2,0,0]");
    CHECK(norm("[]", s) == "[0,0,0,0]");
    CHECK(norm("[1,2,3,4]", s) == "[1,2,3,4]");
}

TEST_CASE("normalize: a fixed array given too many elements is refused", "[schema]") {
    const char* s = R"({"type":"array","items":{"type":"integer","format":"uint8"},"minItems":4,"maxItems":4})";
    CHECK(norm("[1,2,3,4,5]", s) == "error: params: expected at most 4 elements, got 5");
}

TEST_CASE("normalize: map values are normalized and errors name the key", "[schema]") {
    const char* s = R"({"type":"object","additionalProperties":{"type":"integer","format":"int8"}})";
    CHECK(norm(R"({"a":1,"b":2})", s) == R"({"a":1,"b":2})");
    CHECK(norm(R"({"a":1,"b":200})", s) == "error: field [b]: value 200 overflows int8");
    CHECK(norm("[1]", s) == "error: params: expected an object, got an array");
}

TEST_CASE("normalize: a map with integer keys accepts integer keys of its width", "[schema]") {
    const char* s = R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"integer","format":"int8"}})";
    CHECK(norm(R"({"1":"a","-128":"b","127":"c"})", s) == R"({"1":"a","-128":"b","127":"c"})");
    CHECK(norm(R"({"x":"a"})", s) == "error: field [x]: map key is not an integer of type int8");
    CHECK(norm(R"({"128":"a"})", s) == "error: field [128]: value 128 overflows int8");
}

TEST_CASE("normalize: a map with unsigned keys refuses negative keys", "[schema]") {
    const char* s = R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"integer","format":"uint16"}})";
    CHECK(norm(R"({"65535":"a"})", s) == R"({"65535":"a"})");
    CHECK(norm(R"({"-1":"a"})", s) == "error: field [-1]: map key is not an integer of type uint16");
}

TEST_CASE("normalize: integer map keys must be written as Go writes them", "[schema]") {
    // Go's encoding/json parses map[int]T keys with strconv.ParseInt: "5.0",
    // " 5" and "1e2" are not integers there.
    const char* s = R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"integer","format":"int64"}})";
    for (std::string_view key : {"5.0", " 5", "5 ", "1e2", "[5]", "", "0x10", "+-5"}) {
        INFO(key);
        std::string value = "{" + json::serialize(json::string(key)) + R"(:"a"})";
        CHECK(norm(value, s) == "error: field [" + std::string(key) + "]: map key is not an integer of type int64");
    }
}

TEST_CASE("normalize: integer map keys come back in canonical decimal form", "[schema]") {
    const char* s = R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"integer","format":"int64"}})";
    CHECK(norm(R"({"+7":"a","-0":"b","-012":"c"})", s) == R"({"7":"a","0":"b","-12":"c"})");
    CHECK(norm(R"({"+7":"a","007":"b"})", s) == R"({"7":"b"})"); // the same key twice: the last wins, as in Go
}

TEST_CASE("normalize: unsigned map keys take no sign", "[schema]") {
    const char* s = R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"integer","format":"uint64"}})";
    CHECK(norm(R"({"18446744073709551615":"max"})", s) == R"({"18446744073709551615":"max"})");
    CHECK(norm(R"({"+5":"a"})", s) == "error: field [+5]: map key is not an integer of type uint64");
}

// ---- depth ----------------------------------------------------------------------------------

TEST_CASE("normalize: values nested within the schema's depth are accepted", "[schema]") {
    std::string schema_text = R"({"type":"integer"})";
    std::string value = "1";
    for (int i = 0; i < 32; ++i) {
        schema_text = R"({"type":"array","items":)" + schema_text + "}";
        value = "[" + value + "]";
    }
    CHECK(norm(value, schema_text) == value);
}

// ---- any JSON ------------------------------------------------------------------------

TEST_CASE("normalize: the schema {} takes any value as it is, in a struct field too", "[schema]") {
    CHECK(norm(R"(["hello",5,{"a":[true,null,-1.5]}])", "{}") == R"(["hello",5,{"a":[true,null,-1.5]}])");
    CHECK(norm(R"({"x":1})", "{}") == R"({"x":1})");
    CHECK(norm("null", "{}") == "null");
    CHECK(norm(R"({"Raw":[1,"two"]})", R"({"type":"object","title":"R","properties":{"Raw":{}}})") ==
          R"({"Raw":[1,"two"]})");
    CHECK(norm("{}", R"({"type":"object","title":"R","properties":{"Raw":{}}})") == R"({"Raw":null})");
}

TEST_CASE("normalize: any JSON holding a number past a double's range is refused, naming the field", "[schema]") {
    CHECK(norm(R"({"Raw":[1,1e400]})", R"({"type":"object","title":"R","properties":{"Raw":{}}})") ==
          "error: field Raw: a number out of range");
}

} // namespace unit_schema_normalize
