// Schemas: the shape of a method's argument and reply values.
//
// Plugins describe each type as JSON (a small subset of JSON Schema, the
// format OpenRPC uses); the host parses that text once, at load, into a
// Schema tree. The tree drives argument checking, gob encoding and decoding,
// the debug page and discovery.
//
//   {"type":"integer","format":"int64"}        int8 int16 int32 int64
//   {"type":"integer","format":"uint64"}       uint8 uint16 uint32 uint64
//   {"type":"number","format":"double"}        or "float"
//   {"type":"boolean"}   {"type":"string"}
//   {"type":"string","format":"byte"}          []byte, base64 in JSON
//   {"type":"array","items":S}                 a slice
//   {"type":"array","items":S,"minItems":N,"maxItems":N}   a fixed array [N]S
//   {"type":"object","additionalProperties":S} a map with string keys;
//       add "x-key":K (an integer schema) for integer keys
//   {"type":"object","title":"Args","properties":{"A":S,...}}
//       a struct; properties in field order
//   {}                                         any JSON value, passed as it is
//       (JSON Schema's "anything"; Go's json.RawMessage; over gob a string
//       holding the value's JSON text)
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace plugrpc {

struct Schema;
class NumberLiterals;
using SchemaPtr = std::shared_ptr<const Schema>;

enum class Kind : std::uint8_t { Bool, Int, Uint, Float, String, Bytes, Slice, Array, Map, Struct, Any };

struct Field {
    Field(std::string n, SchemaPtr t);

    std::string name;
    SchemaPtr type;
    std::string json_key; // the name as JSON text with its colon ("A":): what the normalizer writes
};

struct Schema {
    Kind kind = Kind::Bool;
    unsigned bits = 64;        // Int, Uint: 8..64; Float: 32 or 64
    std::uint64_t length = 0;  // Array
    SchemaPtr elem;            // Slice, Array, Map value
    SchemaPtr key;             // Map key (String, Int or Uint)
    std::string name;          // Struct: its type name ("Args")
    std::vector<Field> fields; // Struct, in declaration order
    bool has_float32 = false;  // a float32 in it, at any depth (parse_schema sets it)

    // The index of the field called `n`: exact match first, then
    // case-insensitive (as Go's encoding/json). -1 if none.
    int field_index(std::string_view n) const;
};

// Whether an integer fits a field of kind Int (Uint) of `s`'s width: any
// value for 64 bits (or a width not set).
inline bool int_fits(const Schema& s, std::int64_t v) {
    if (s.bits < 1 || s.bits >= 64) return true;
    const std::int64_t max = (std::int64_t(1) << (s.bits - 1)) - 1;
    return v >= -max - 1 && v <= max;
}
inline bool uint_fits(const Schema& s, std::uint64_t v) { return s.bits < 1 || s.bits >= 64 || v >> s.bits == 0; }

// Nesting of a schema, and of values checked against one, is bounded.
inline constexpr unsigned kMaxSchemaDepth = 32;

struct SchemaResult {
    SchemaPtr schema;  // null on error
    std::string error; // why not
};

// Parse the JSON text a plugin registered. Hostile input: bounded in depth,
// every key checked.
SchemaResult parse_schema(std::string_view json_text);
SchemaResult parse_schema(const boost::json::value& v);

// The JSON Schema text of a schema (what discovery shows).
boost::json::value schema_to_json(const Schema& s);

// Go-like type name for people: "int64", "[]string", "map[string]float64",
// "[4]uint8", "Args".
std::string type_name(const Schema& s);
// The same as Go's reflect spells it, for Go's own error texts: []byte is "[]uint8".
std::string go_type_name(const Schema& s);

// The zero value of a type, as JSON.
boost::json::value zero_value(const Schema& s);

struct NormalizeResult {
    boost::json::value value;
    std::string error; // "field B: expected an integer, got a string"; empty on success
    bool ok() const { return error.empty(); }
};

// What normalize() accepts beyond Go's encoding/json.
struct NormalizeOptions {
    // An array given for a struct, at any depth, fills its fields in order
    // (JSON-RPC 2.0 by position). Go's encoding/json refuses it ("cannot
    // unmarshal array into Go value of type main.Args"): off for Go's dialect.
    bool struct_from_array = true;
    // Arrays as Go's encoding/json reads them: a longer array into [N]T keeps
    // its first N elements (the rest are skipped unchecked), and an array of
    // numbers is a []byte (Go 1.19 reads [1,2,3] as "AQID"). Off, a longer
    // array is refused and a []byte is only a base64 string.
    bool go_arrays = false;
    // Integers as JSON-RPC 2.0 reads them, which has no integer type: a
    // number whose exact value is an integer is one, however written (1.0,
    // 1e2 and 2.50e1; -0 and -0.0 are 0). Off, as Go's encoding/json reads
    // them (strconv.ParseInt/ParseUint on the text): only an integer
    // literal (-0 is 0 for a signed integer and refused for an unsigned
    // one; 1.0, 1e2 and -0.0 are refused).
    bool exact_integers = true;
    // What each number was written as (number_literals.hpp), where the
    // value cannot tell: the decision above is taken on the text. Without
    // it, a number with a fraction, an exponent or a minus zero is refused
    // for an integer (it reached us as a double, perhaps rounded).
    const NumberLiterals* literals = nullptr;
};

// Check a JSON value against a schema and bring it to canonical form, as Go
// would decode it: struct fields matched by name, unknown fields dropped,
// missing ones zero; an array given for a struct fills its fields in order
// (unless `opt` says not); null is the zero value; integers judged on
// their text (`opt`), range-checked for their width.
NormalizeResult normalize(const boost::json::value& v, const Schema& s, NormalizeOptions opt = {});
// The same into `out`, built in out's own storage (an arena, say): the
// error text (then `out` is null), or empty on success.
std::string normalize_into(const boost::json::value& v, const Schema& s, boost::json::value& out,
                           NormalizeOptions opt = {});
// The same as JSON text appended to `out`: what serialising normalize()'s
// value gives. The error text, or empty on success (`out` is then partly
// written).
std::string normalize_text(const boost::json::value& v, const Schema& s, std::string& out, NormalizeOptions opt = {});

} // namespace plugrpc
