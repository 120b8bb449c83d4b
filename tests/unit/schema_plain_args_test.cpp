// A struct's arguments read the short way (server/jsonrpc/plain_args): what it
// accepts it writes byte for byte as parsing and normalize_text() do; the
// rest it declines, leaving its output alone, for that path to judge.
#include "server/jsonrpc/plain_args.hpp"

#include <plugrpc/json_parse.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_schema_plain_args {

using namespace plugrpc;

namespace {

const char* const kArgs =
    R"({"type":"object","title":"Args","properties":{"A":{"type":"integer","format":"int64"},"B":{"type":"integer","format":"int64"}}})";

// Every kind the short way reads, at every width.
const char* const kMixed = R"({"type":"object","title":"Mixed","properties":{)"
                           R"("I8":{"type":"integer","format":"int8"},"U8":{"type":"integer","format":"uint8"},)"
                           R"("I16":{"type":"integer","format":"int16"},"U16":{"type":"integer","format":"uint16"},)"
                           R"("I32":{"type":"integer","format":"int32"},"U32":{"type":"integer","format":"uint32"},)"
                           R"("U64":{"type":"integer","format":"uint64"},"Flag":{"type":"boolean"},)"
                           R"("Name":{"type":"string"},"name":{"type":"string"}}})";

SchemaPtr schema(std::string_view text) {
    SchemaResult r = parse_schema(text);
    INFO(r.error);
    REQUIRE(r.schema);
    return r.schema;
}

// The general path: parse as the envelope does, then normalize_text. Its
// text, or "error" when the text is no JSON or does not fit.
std::string general(std::string_view text, const Schema& s) {
    boost::system::error_code ec;
    boost::json::parse_options opt;
    opt.max_depth = 63;
    boost::json::value v = parse_json(text, ec, {}, opt);
    if (ec) return "error";
    std::string out;
    if (!normalize_text(v, s, out).empty()) return "error";
    return out;
}

// The short way's text, or "declined" (and then `out` was left alone).
std::string plain(std::string_view text, const Schema& s) {
    std::string out = "kept";
    if (!normalize_plain_args(text, s, out)) {
        CHECK(out == "kept");
        return "declined";
    }
    REQUIRE(out.substr(0, 4) == "kept");
    return out.substr(4);
}

// Declined, or the very text of the general path.
void agrees(const std::string& text, const Schema& s) {
    std::string p = plain(text, s);
    if (p == "declined") return;
    INFO(text);
    CHECK(p == general(text, s));
}

} // namespace

TEST_CASE("plain args: usual arguments are read the short way, as the general path writes them", "[schema]") {
    SchemaPtr args = schema(kArgs), mixed = schema(kMixed);
    struct Case {
        const Schema& s;
        std::string text, want;
    };
    for (const Case& c : std::vector<Case>{
             {*args, R"({"A":7,"B":8})", R"({"A":7,"B":8})"},
             {*args, R"({"B":-8,"A":7})", R"({"A":7,"B":-8})"},
             {*args, " \t{ \"A\" :\n7 , \"B\":\r8 }\n", R"({"A":7,"B":8})"},
             {*args, R"({"B":2})", R"({"A":0,"B":2})"},
             {*args, R"({})", R"({"A":0,"B":0})"},
             {*args, R"({"A":-9223372036854775808,"B":9223372036854775807})",
              R"({"A":-9223372036854775808,"B":9223372036854775807})"},
             {*mixed, R"({"Flag":false,"name":"x"})",
              R"({"I8":0,"U8":0,"I16":0,"U16":0,"I32":0,"U32":0,"U64":0,"Flag":false,"Name":"","name":"x"})"},
         }) {
        INFO(c.text);
        std::string got = plain(c.text, c.s);
        CHECK(got == c.want);
        CHECK(got == general(c.text, c.s));
    }
    std::string all = R"({"I8":-128,"U8":255,"I16":32767,"U16":65535,"I32":-2147483648,"U32":4294967295,)"
                      R"("U64":9223372036854775807,"Flag":true,"Name":"a b/~","name":"N"})";
    CHECK(plain(all, *mixed) == all);
    CHECK(general(all, *mixed) == all);
}

TEST_CASE("plain args: what it cannot write exactly is left to the general path", "[schema]") {
    SchemaPtr args = schema(kArgs), mixed = schema(kMixed);
    for (std::string text : {
             R"({"a":7})",              // a name matched only without case
             R"({"A":7,"C":1})",        // an unknown field
             R"({"A":7,"A":8})",        // a field twice
             R"({"A":null})",           // null: the zero value
             R"({"A":7.0})",            // an integral float
             R"({"A":7e0})",            // an exponent
             R"({"A":07})",             // a leading zero
             R"({"A":-0})",             // -0
             R"({"A":"7"})",            // a string for an integer
             R"({"A":9223372036854775808})", // past int64
             R"({"A":7,})",             // a trailing comma
             R"({"A":7} x)",            // bytes after it
             R"({"A":7)",               // cut short
             R"({"\u0041":7})",         // an escape in a name
             R"([7,8])",                // positional
             "7", "", "null",
         }) {
        INFO(text);
        CHECK(plain(text, *args) == "declined");
    }
    for (std::string text : {
             R"({"I8":128})", R"({"I8":-129})", R"({"U8":256})", R"({"U8":-1})", R"({"I16":32768})",
             R"({"U16":65536})", R"({"I32":2147483648})", R"({"U32":4294967296})", R"({"U64":-1})",
             R"({"U64":18446744073709551615})", // in range, but past what the short way reads
             R"({"Flag":1})", R"({"Flag":True})", R"({"Flag":tru})", R"({"Name":7})", R"({"Name":"a\"b"})",
             "{\"Name\":\"caf\xc3\xa9\"}", "{\"Name\":\"a\tb\"}",
         }) {
        INFO(text);
        CHECK(plain(text, *mixed) == "declined");
    }
}

TEST_CASE("plain args: schemas with a kind it does not read are left to the general path", "[schema]") {
    for (std::string s : {
             std::string(R"({"type":"integer","format":"int64"})"),
             std::string(R"({"type":"object","title":"F","properties":{"X":{"type":"number","format":"double"}}})"),
             std::string(R"({"type":"object","title":"B","properties":{"X":{"type":"string","format":"byte"}}})"),
             std::string(R"({"type":"object","title":"S","properties":{"X":{"type":"array","items":{"type":"string"}}}})"),
             std::string(R"({"type":"object","title":"N","properties":{"X":)") + kArgs + "}}",
         }) {
        INFO(s);
        CHECK(plain("{}", *schema(s)) == "declined");
    }
    std::string many = R"({"type":"object","title":"Many","properties":{)";
    for (int i = 0; i < 17; ++i) many += (i ? "," : "") + ("\"F" + std::to_string(i) + "\":{\"type\":\"boolean\"}");
    many += "}}";
    CHECK(plain("{}", *schema(many)) == "declined");
}

TEST_CASE("plain args: every one-byte change of usual arguments is declined or written as the general path writes it",
          "[schema]") {
    SchemaPtr args = schema(kArgs), mixed = schema(kMixed);
    const std::string replacements = "\"{}[],:0-19.eE\\ xtnfAB\x01\xc3";
    struct Seed {
        const Schema& s;
        std::string text;
    };
    for (const Seed& seed : std::vector<Seed>{
             {*args, R"({"A":7,"B":-80})"},
             {*args, R"( { "B" : 127 } )"},
             {*mixed, R"({"I8":-1,"U8":25,"Flag":true,"Name":"a string longer than sixteen bytes","U64":1})"},
             {*mixed, R"({"name":"Nm","Flag":false,"I16":-3})"},
         }) {
        const std::string& t = seed.text;
        agrees(t, seed.s);
        for (std::size_t i = 0; i < t.size(); ++i) {
            agrees(t.substr(0, i) + t.substr(i + 1), seed.s);
            agrees(t.substr(0, i + 1) + t.substr(i), seed.s);
            for (char c : replacements) agrees(t.substr(0, i) + c + t.substr(i + 1), seed.s);
        }
    }
}

} // namespace unit_schema_plain_args
