// Schemas: parsing what plugins register, naming types, zero values.
#include "wire/schema.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_schema_parse {

namespace json = boost::json;
using namespace plugrpc;

namespace {

SchemaPtr parse_ok(std::string_view text) {
    SchemaResult r = parse_schema(text);
    INFO(text << " -> " << r.error);
    REQUIRE(r.schema);
    CHECK(r.error.empty());
    return r.schema;
}

std::string parse_error(std::string_view text) {
    SchemaResult r = parse_schema(text);
    INFO(text);
    CHECK_FALSE(r.schema);
    return r.error;
}

std::string name_of(std::string_view text) { return type_name(*parse_ok(text)); }

std::string zero_of(std::string_view text) { return json::serialize(zero_value(*parse_ok(text))); }

// `depth` array schemas around an integer.
std::string nested_arrays(int depth) {
    std::string s = R"({"type":"integer"})";
    for (int i = 0; i < depth; ++i) s = R"({"type":"array","items":)" + s + "}";
    return s;
}

} // namespace

// ---- accepted forms --------------------------------------------------------------

TEST_CASE("schema: boolean, string and bytes are accepted", "[schema]") {
    CHECK(parse_ok(R"({"type":"boolean"})")->kind == Kind::Bool);
    CHECK(parse_ok(R"({"type":"string"})")->kind == Kind::String);
    CHECK(parse_ok(R"({"type":"string","format":"byte"})")->kind == Kind::Bytes);
}

TEST_CASE("schema: other string formats are plain strings", "[schema]") {
    CHECK(parse_ok(R"({"type":"string","format":"date-time"})")->kind == Kind::String);
}

TEST_CASE("schema: integers of every width and signedness are accepted", "[schema]") {
    for (unsigned bits : {8u, 16u, 32u, 64u}) {
        auto s = parse_ok(R"({"type":"integer","format":"int)" + std::to_string(bits) + "\"}");
        CHECK(s->kind == Kind::Int);
        CHECK(s->bits == bits);
        auto u = parse_ok(R"({"type":"integer","format":"uint)" + std::to_string(bits) + "\"}");
        CHECK(u->kind == Kind::Uint);
        CHECK(u->bits == bits);
    }
}

TEST_CASE("schema: an integer without a format is int64", "[schema]") {
    auto s = parse_ok(R"({"type":"integer"})");
    CHECK(s->kind == Kind::Int);
    CHECK(s->bits == 64);
}

TEST_CASE("schema: numbers are float64 by default, float32 with format float", "[schema]") {
    CHECK(parse_ok(R"({"type":"number"})")->bits == 64);
    CHECK(parse_ok(R"({"type":"number","format":"double"})")->bits == 64);
    auto f = parse_ok(R"({"type":"number","format":"float"})");
    CHECK(f->kind == Kind::Float);
    CHECK(f->bits == 32);
}

TEST_CASE("schema: an array with items is a slice", "[schema]") {
    auto s = parse_ok(R"({"type":"array","items":{"type":"string"}})");
    CHECK(s->kind == Kind::Slice);
    REQUIRE(s->elem);
    CHECK(s->elem->kind == Kind::String);
}

TEST_CASE("schema: an array with equal minItems and maxItems is a fixed array", "[schema]") {
    auto s = parse_ok(R"({"type":"array","items":{"type":"integer","format":"uint8"},"minItems":4,"maxItems":4})");
    CHECK(s->kind == Kind::Array);
    CHECK(s->length == 4);
    CHECK(s->elem->kind == Kind::Uint);
    CHECK(parse_ok(R"({"type":"array","items":{"type":"boolean"},"minItems":0,"maxItems":0})")->length == 0);
}

TEST_CASE("schema: additionalProperties is a map with string keys", "[schema]") {
    auto s = parse_ok(R"({"type":"object","additionalProperties":{"type":"number"}})");
    CHECK(s->kind == Kind::Map);
    REQUIRE(s->key);
    CHECK(s->key->kind == Kind::String);
    CHECK(s->elem->kind == Kind::Float);
}

TEST_CASE("schema: x-key gives a map integer keys", "[schema]") {
    auto s = parse_ok(R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"integer","format":"int32"}})");
    CHECK(s->kind == Kind::Map);
    CHECK(s->key->kind == Kind::Int);
    CHECK(s->key->bits == 32);
    CHECK(parse_ok(R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"integer","format":"uint16"}})")
              ->key->kind == Kind::Uint);
}

TEST_CASE("schema: properties make a struct, fields in declaration order, named by title", "[schema]") {
    auto s = parse_ok(R"({"type":"object","title":"Args","properties":{"Z":{"type":"integer"},"A":{"type":"string"},"M":{"type":"boolean"}}})");
    CHECK(s->kind == Kind::Struct);
    CHECK(s->name == "Args");
    REQUIRE(s->fields.size() == 3);
    CHECK(s->fields[0].name == "Z");
    CHECK(s->fields[0].type->kind == Kind::Int);
    CHECK(s->fields[1].name == "A");
    CHECK(s->fields[1].type->kind == Kind::String);
    CHECK(s->fields[2].name == "M");
    CHECK(s->fields[2].type->kind == Kind::Bool);
}

TEST_CASE("schema: a struct without a title is called struct", "[schema]") {
    CHECK(parse_ok(R"({"type":"object","properties":{}})")->name == "struct");
}

TEST_CASE("schema: nested structs, slices and maps are accepted", "[schema]") {
    auto s = parse_ok(R"({"type":"object","title":"Outer","properties":{
        "Items":{"type":"array","items":{"type":"object","title":"Item","properties":{"N":{"type":"integer"}}}},
        "Index":{"type":"object","additionalProperties":{"type":"array","items":{"type":"string","format":"byte"}}}}})");
    CHECK(type_name(*s->fields[0].type) == "[]Item");
    CHECK(type_name(*s->fields[1].type) == "map[string][][]byte");
}

TEST_CASE("schema: unknown members such as description are ignored", "[schema]") {
    CHECK(parse_ok(R"({"type":"integer","description":"a count","minimum":0})")->kind == Kind::Int);
}

TEST_CASE("schema: nesting up to 32 levels is accepted", "[schema]") {
    CHECK(parse_ok(nested_arrays(32))->kind == Kind::Slice);
}

TEST_CASE("schema: parsing an already parsed JSON value gives the same result", "[schema]") {
    SchemaResult r = parse_schema(json::parse(R"({"type":"array","items":{"type":"integer","format":"int16"}})"));
    REQUIRE(r.schema);
    CHECK(type_name(*r.schema) == "[]int16");
}

// ---- rejected forms ----------------------------------------------------------------

TEST_CASE("schema: text that is not JSON is refused", "[schema]") {
    CHECK_THAT(parse_error(R"({"type":)"), Catch::StartsWith("schema is not valid JSON: "));
}

TEST_CASE("schema: a schema that is not an object is refused", "[schema]") {
    CHECK(parse_error("5") == "schema: must be a JSON object");
    CHECK(parse_error(R"("integer")") == "schema: must be a JSON object");
}

TEST_CASE("schema: a schema without a type is refused", "[schema]") {
    CHECK(parse_error(R"({"format":"int64"})") == R"(schema: missing "type")");
    CHECK(parse_error(R"({"type":5})") == R"(schema: missing "type")");
}

TEST_CASE("schema: an unknown type is refused, naming it and where it is", "[schema]") {
    CHECK(parse_error(R"({"type":"widget"})") == R"(schema: unknown type "widget")");
    CHECK(parse_error(R"({"type":"object","title":"Args","properties":{"A":{"type":"integer"},"B":{"type":"widget"}}})") ==
          R"(.B: unknown type "widget")");
    CHECK(parse_error(R"({"type":"array","items":{"type":"object","properties":{"X":{"type":"null"}}}})") ==
          R"(.items.X: unknown type "null")");
}

TEST_CASE("schema: unknown integer and number formats are refused", "[schema]") {
    CHECK(parse_error(R"({"type":"integer","format":"int128"})") == R"(schema: unknown integer format "int128")");
    CHECK(parse_error(R"({"type":"integer","format":"int"})") == R"(schema: unknown integer format "int")");
    CHECK(parse_error(R"({"type":"number","format":"decimal"})") == R"(schema: unknown number format "decimal")");
}

TEST_CASE("schema: an array without items is refused", "[schema]") {
    CHECK(parse_error(R"({"type":"array"})") == R"(schema: array without "items")");
    CHECK(parse_error(R"({"type":"object","title":"T","properties":{"L":{"type":"array"}}})") ==
          R"(.L: array without "items")");
}

TEST_CASE("schema: a fixed array needs equal minItems and maxItems", "[schema]") {
    const std::string why = "schema: a fixed array needs equal minItems and maxItems";
    CHECK(parse_error(R"({"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":3})") == why);
    CHECK(parse_error(R"({"type":"array","items":{"type":"integer"},"minItems":2})") == why);
    CHECK(parse_error(R"({"type":"array","items":{"type":"integer"},"maxItems":2})") == why);
    CHECK(parse_error(R"({"type":"array","items":{"type":"integer"},"minItems":"2","maxItems":"2"})") == why);
}

TEST_CASE("schema: a fixed array of negative or huge length is refused", "[schema]") {
    CHECK(parse_error(R"({"type":"array","items":{"type":"integer"},"minItems":-1,"maxItems":-1})") ==
          "schema: array length out of range");
    CHECK(parse_error(R"({"type":"array","items":{"type":"integer"},"minItems":2000000,"maxItems":2000000})") ==
          "schema: array length out of range");
}

TEST_CASE("schema: a fractional fixed array length is refused, not thrown", "[schema]") {
    SchemaResult r;
    REQUIRE_NOTHROW(r = parse_schema(std::string_view(R"({"type":"array","items":{"type":"integer"},"minItems":2.5,"maxItems":2.5})")));
    CHECK_FALSE(r.schema);
    CHECK(r.error == "schema: array length must be a whole number");
    CHECK(parse_error(R"({"type":"array","items":{"type":"integer"},"minItems":1e30,"maxItems":1e30})") ==
          "schema: array length must be a whole number");
}

TEST_CASE("schema: a fixed array length written as 3.0 is accepted", "[schema]") {
    CHECK(parse_ok(R"({"type":"array","items":{"type":"integer"},"minItems":3.0,"maxItems":3.0})")->length == 3);
}

TEST_CASE("schema: nesting deeper than 32 levels is refused", "[schema]") {
    std::string why = parse_error(nested_arrays(33));
    CHECK_THAT(why, Catch::EndsWith(": nested deeper than 32 levels"));
    CHECK_THAT(why, Catch::StartsWith(".items.items."));
}

TEST_CASE("schema: an object that is neither struct nor map is refused", "[schema]") {
    CHECK(parse_error(R"({"type":"object"})") ==
          R"(schema: object needs "properties" (a struct) or "additionalProperties" (a map))");
    CHECK(parse_error(R"({"type":"object","additionalProperties":true})") ==
          R"(schema: object needs "properties" (a struct) or "additionalProperties" (a map))");
}

TEST_CASE("schema: properties that are not an object are refused", "[schema]") {
    CHECK(parse_error(R"({"type":"object","properties":[]})") == R"(schema: "properties" must be an object)");
}

TEST_CASE("schema: a property with an empty name is refused", "[schema]") {
    CHECK(parse_error(R"({"type":"object","properties":{"":{"type":"integer"}}})") ==
          "schema: a property with an empty name");
}

// Known bug: Boost.JSON 1.81 keeps only the last of duplicate keys while
// parsing, so the check in parse_schema never sees the first one and the
// schema is accepted with the last definition. Drop [!shouldfail] once fixed.
TEST_CASE("schema: a property given twice is refused", "[schema][!shouldfail]") {
    CHECK(parse_error(R"({"type":"object","title":"T","properties":{"A":{"type":"integer"},"A":{"type":"string"}}})") ==
          R"(schema: duplicate property "A")");
}

TEST_CASE("schema: map keys other than strings and integers are refused", "[schema]") {
    CHECK(parse_error(R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"boolean"}})") ==
          "schema: map keys must be strings or integers");
    CHECK(parse_error(R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"number"}})") ==
          "schema: map keys must be strings or integers");
}

TEST_CASE("schema: errors inside a map's value schema name the path", "[schema]") {
    CHECK(parse_error(R"({"type":"object","additionalProperties":{"type":"array"}})") ==
          R"(.additionalProperties: array without "items")");
}

// ---- type names --------------------------------------------------------------------

TEST_CASE("schema: type names read like Go's", "[schema]") {
    CHECK(name_of(R"({"type":"boolean"})") == "bool");
    CHECK(name_of(R"({"type":"integer","format":"int8"})") == "int8");
    CHECK(name_of(R"({"type":"integer","format":"int16"})") == "int16");
    CHECK(name_of(R"({"type":"integer","format":"int32"})") == "int32");
    CHECK(name_of(R"({"type":"integer","format":"int64"})") == "int64");
    CHECK(name_of(R"({"type":"integer","format":"uint8"})") == "uint8");
    CHECK(name_of(R"({"type":"integer","format":"uint16"})") == "uint16");
    CHECK(name_of(R"({"type":"integer","format":"uint32"})") == "uint32");
    CHECK(name_of(R"({"type":"integer","format":"uint64"})") == "uint64");
    CHECK(name_of(R"({"type":"number","format":"float"})") == "float32");
    CHECK(name_of(R"({"type":"number","format":"double"})") == "float64");
    CHECK(name_of(R"({"type":"string"})") == "string");
    CHECK(name_of(R"({"type":"string","format":"byte"})") == "[]byte");
    CHECK(name_of(R"({"type":"array","items":{"type":"string"}})") == "[]string");
    CHECK(name_of(R"({"type":"array","items":{"type":"integer","format":"uint8"},"minItems":4,"maxItems":4})") == "[4]uint8");
    CHECK(name_of(R"({"type":"object","additionalProperties":{"type":"number"}})") == "map[string]float64");
    CHECK(name_of(R"({"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"integer","format":"int32"}})") ==
          "map[int32]string");
    CHECK(name_of(R"({"type":"object","title":"Args","properties":{"A":{"type":"integer"}}})") == "Args");
    CHECK(name_of(R"({"type":"array","items":{"type":"object","additionalProperties":{"type":"array","items":{"type":"object","title":"Args","properties":{}}}}})") ==
          "[]map[string][]Args");
}

// ---- zero values -------------------------------------------------------------------

TEST_CASE("schema: zero values are Go's zero values as JSON", "[schema]") {
    CHECK(zero_of(R"({"type":"boolean"})") == "false");
    CHECK(zero_of(R"({"type":"integer","format":"int8"})") == "0");
    CHECK(zero_of(R"({"type":"integer","format":"uint64"})") == "0");
    CHECK(zero_value(*parse_ok(R"({"type":"integer","format":"uint64"})")).is_uint64());
    CHECK(zero_value(*parse_ok(R"({"type":"integer"})")).is_int64());
    CHECK(zero_value(*parse_ok(R"({"type":"number"})")).is_double());
    CHECK(zero_value(*parse_ok(R"({"type":"number"})")).get_double() == 0.0);
    CHECK(zero_of(R"({"type":"string"})") == R"("")");
    CHECK(zero_of(R"({"type":"string","format":"byte"})") == R"("")");
    CHECK(zero_of(R"({"type":"array","items":{"type":"string"}})") == "[]");
    CHECK(zero_of(R"({"type":"array","items":{"type":"boolean"},"minItems":3,"maxItems":3})") == "[false,false,false]");
    CHECK(zero_of(R"({"type":"object","additionalProperties":{"type":"string"}})") == "{}");
    CHECK(zero_of(R"({"type":"object","title":"T","properties":{"A":{"type":"integer"},"S":{"type":"string"},"In":{"type":"object","title":"In","properties":{"L":{"type":"array","items":{"type":"integer"}}}}}})") ==
          R"({"A":0,"S":"","In":{"L":[]}})");
}

// ---- rendering -----------------------------------------------------------------------

TEST_CASE("schema: a parsed schema renders back as canonical JSON schema", "[schema]") {
    auto s = parse_ok(R"({"type":"object","title":"Args","properties":{"A":{"type":"integer"},"B":{"type":"number","format":"float"},
        "C":{"type":"array","items":{"type":"string","format":"byte"},"minItems":2,"maxItems":2},
        "D":{"type":"object","additionalProperties":{"type":"boolean"},"x-key":{"type":"integer","format":"uint8"}},
        "E":{"type":"object","additionalProperties":{"type":"string"}}}})");
    CHECK(json::serialize(schema_to_json(*s)) ==
          R"({"type":"object","title":"Args","properties":{"A":{"type":"integer","format":"int64"},"B":{"type":"number","format":"float"},)"
          R"("C":{"type":"array","items":{"type":"string","format":"byte"},"minItems":2,"maxItems":2},)"
          R"("D":{"type":"object","additionalProperties":{"type":"boolean"},"x-key":{"type":"integer","format":"uint8"}},)"
          R"("E":{"type":"object","additionalProperties":{"type":"string"}}}})");
    SchemaResult again = parse_schema(schema_to_json(*s));
    REQUIRE(again.schema);
    CHECK(json::serialize(schema_to_json(*again.schema)) == json::serialize(schema_to_json(*s)));
}

TEST_CASE("schema: field lookup prefers an exact match, then ignores case", "[schema]") {
    auto s = parse_ok(R"({"type":"object","properties":{"name":{"type":"string"},"Name":{"type":"string"},"Id":{"type":"integer"}}})");
    CHECK(s->field_index("name") == 0);
    CHECK(s->field_index("Name") == 1);
    CHECK(s->field_index("NAME") == 0);
    CHECK(s->field_index("id") == 2);
    CHECK(s->field_index("ID") == 2);
    CHECK(s->field_index("Ident") == -1);
}

TEST_CASE("schema: {} is any JSON value (Go's json.RawMessage) and renders back as {}", "[schema]") {
    auto s = parse_ok("{}");
    CHECK(s->kind == Kind::Any);
    CHECK(type_name(*s) == "json.RawMessage");
    CHECK(json::serialize(schema_to_json(*s)) == "{}");
    CHECK(zero_value(*s).is_null());
}

} // namespace unit_schema_parse
