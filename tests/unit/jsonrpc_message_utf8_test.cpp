// JSON requests whose strings are not UTF-8 (a stray byte, a cut sequence,
// an overlong form, an encoded surrogate) or hold a lone surrogate escape:
// read as Go's encoding/json reads them (Go 1.19, decode.go unquoteBytes),
// each such byte or escape becoming U+FFFD, in both dialects, wherever the
// string is (method, params, keys, id). The id is echoed as Go's server
// echoes its json.RawMessage: its bytes as written, spaces removed, and
// <, >, &, U+2028, U+2029 escaped (encode.go compact).
// Expected values are what Go 1.19's json.Unmarshal gives.
#include "server/jsonrpc/message.hpp"
#include "wire/jsonrpc/go_strings.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_jsonrpc_message_utf8 {

namespace json = boost::json;
using namespace plugrpc::jsonrpc;

namespace {

const DecodeLimits kLimits{};
const std::string kFFFD = "\xEF\xBF\xBD";

// A string as sent inside the quotes, and what Go reads it as.
struct Case {
    std::string sent;
    std::string read;
};

const std::vector<Case> kCases = {
    {"\xff", kFFFD},
    {"a\xe2\x82", "a" + kFFFD + kFFFD},               // a cut sequence: a U+FFFD per byte
    {"\xc0\x80", kFFFD + kFFFD},                      // an overlong NUL
    {"\xed\xa0\x80", kFFFD + kFFFD + kFFFD},          // an encoded surrogate
    {"\xf4\x90\x80\x80", kFFFD + kFFFD + kFFFD + kFFFD}, // past U+10FFFF
    {"x\x80y\xfe", "x" + kFFFD + "y" + kFFFD},
    {"\\udc80", kFFFD},                               // a lone low surrogate
    {"\\ud800", kFFFD},                               // a high one at the end
    {"\\ud800\\u0041", kFFFD + "A"},                  // followed by no low surrogate
    {"\\ud800x", kFFFD + "x"},
    {"\\uD800\\\\", kFFFD + "\\"},
    {"\\udc00\\udc00", kFFFD + kFFFD},
    {"\\ud800\\ud800\\udc00", kFFFD + "\xF0\x90\x80\x80"}, // the second pair is one
    {"\\udbff\\udfff\xff\\u00e9", "\xF4\x8F\xBF\xBF" + kFFFD + "\xC3\xA9"},
    {"\xe2\x80\xa8\\ud800<", "\xE2\x80\xA8" + kFFFD + "<"},
};

// Messages decoded here are kept to the end of the run: requests point into them.
const Message& decoded(const std::string& text) {
    static std::vector<std::unique_ptr<Message>> kept;
    kept.push_back(std::make_unique<Message>(decode(text, kLimits)));
    return *kept.back();
}

const Request& one(const std::string& text) {
    const Message& m = decoded(text);
    INFO(m.error);
    REQUIRE(m.error_code == 0);
    REQUIRE(m.requests.size() == 1);
    return m.requests[0];
}

// Go's compact() of an id: bytes as they are, but <, >, & and U+2028/9 escaped.
std::string go_compact(std::string_view raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '<') out += "\\u003c";
        else if (c == '>') out += "\\u003e";
        else if (c == '&') out += "\\u0026";
        else if (raw.substr(i, 3) == "\xe2\x80\xa8") out += "\\u2028", i += 2;
        else if (raw.substr(i, 3) == "\xe2\x80\xa9") out += "\\u2029", i += 2;
        else out += c;
    }
    return out;
}

} // namespace

TEST_CASE("utf-8: a params string that is not UTF-8 or holds a lone surrogate reads as Go reads it, in both dialects",
          "[jsonrpc]") {
    for (const Case& c : kCases) {
        INFO(c.sent);
        const Request& go = one(R"({"method":"Echo.String","params":[")" + c.sent + R"("],"id":1})");
        CHECK(go.dialect == Dialect::Go);
        CHECK(go.error_code == 0);
        REQUIRE(go.params->is_string());
        CHECK(std::string(go.params->get_string()) == c.read);
        const Request& v2 = one(R"({"jsonrpc":"2.0","method":"Echo.String","params":[")" + c.sent + R"("],"id":1})");
        CHECK(v2.dialect == Dialect::V2);
        CHECK(v2.error_code == 0);
        REQUIRE(v2.params->is_array());
        CHECK(std::string(v2.params->get_array().at(0).get_string()) == c.read);
    }
}

TEST_CASE("utf-8: such strings as method names, object keys and nested values read as Go reads them", "[jsonrpc]") {
    for (const Case& c : kCases) {
        INFO(c.sent);
        for (std::string head : {R"({)", R"({"jsonrpc":"2.0",)"}) {
            const Request& r =
                one(head + R"("method":"S.)" + c.sent + R"(","params":[{")" + c.sent + R"(":[{"k":")" + c.sent + R"("}]}],"id":2})");
            CHECK(r.error_code == 0);
            CHECK(std::string(r.method) == "S." + c.read);
            const json::object& arg = r.dialect == Dialect::Go ? r.params->get_object()
                                                               : r.params->get_array().at(0).get_object();
            REQUIRE(arg.size() == 1);
            CHECK(std::string(arg.begin()->key()) == c.read);
            CHECK(std::string(arg.begin()->value().at(0).at("k").get_string()) == c.read);
        }
    }
}

TEST_CASE("utf-8: a string id is echoed with the bytes it was sent with, as Go echoes its raw id", "[jsonrpc]") {
    for (const Case& c : kCases) {
        INFO(c.sent);
        std::string id = "\"" + c.sent + "\"";
        const Request& go = one(R"({"method":"S.M","params":[1],"id":)" + id + "}");
        CHECK(go.error_code == 0);
        CHECK(go.id_text == go_compact(id));
        CHECK(std::string(go.id.get_string()) == c.read);
        const Request& v2 = one(R"({"jsonrpc":"2.0","method":"S.M","params":[1],"id":)" + id + "}");
        CHECK(v2.error_code == 0);
        CHECK_FALSE(v2.notification);
        CHECK(v2.id_text == go_compact(id));
        // Go's dialect takes any value as an id, spaced as sent.
        const Request& nested = one(R"({"method":"S.M","params":[1],"id":[ )" + id + R"( , {")" + c.sent + R"(" : 1} ]})");
        CHECK(nested.id_text == "[" + go_compact(id) + ",{" + go_compact(id) + ":1}]");
    }
}

TEST_CASE("utf-8: an id read the long way escapes <, >, & and U+2028 as Go's compact does", "[jsonrpc]") {
    // "x" is a member Go ignores; here it sends the request the long way.
    const Request& r = one("{\"method\":\"S.M\",\"params\":[1],\"id\":\"<a>&\xe2\x80\xa8\xe2\x80\xa9\",\"x\":0}");
    CHECK(r.id_text == R"("\u003ca\u003e\u0026\u2028\u2029")");
    const Request& plain = one(R"({"method":"S.M","params":[1],"id":"<a>&"})");
    CHECK(plain.id_text == R"("\u003ca\u003e\u0026")");
}

TEST_CASE("utf-8: the id kept from a message too large to decode is echoed as decode() would echo it", "[jsonrpc]") {
    CHECK(echo_id_text("\"\xff\\udc80\"") == "\"\xff\\udc80\"");
    CHECK(echo_id_text(R"("x<y")") == R"("x\u003cy")");
    CHECK(echo_id_text("1.50") == "1.50");
    CHECK(echo_id_text("null") == "null");
    CHECK(echo_id_text("") == "null");
    CHECK(echo_id_text("[1]") == "null");   // not an id JSON-RPC echoes
    CHECK(echo_id_text("NaN") == "null");   // no JSON
    CHECK(echo_id_text("\"\xff") == "null"); // cut short
}

TEST_CASE("utf-8: each element of a batch reads such strings as Go would, and echoes its own id", "[jsonrpc]") {
    const Message& m = decoded("[{\"jsonrpc\":\"2.0\",\"method\":\"S.\xff\",\"params\":[\"\\udc80\"],\"id\":\"\xfe\"},"
                               "{\"jsonrpc\":\"2.0\",\"method\":\"S.M\",\"params\":{\"\\ud800\":\"\xc0\"},\"id\":1e0}]");
    REQUIRE(m.error_code == 0);
    REQUIRE(m.requests.size() == 2);
    CHECK(std::string(m.requests[0].method) == "S." + kFFFD);
    CHECK(std::string(m.requests[0].params->at(0).get_string()) == kFFFD);
    CHECK(m.requests[0].id_text == "\"\xfe\"");
    CHECK(m.requests[1].params->at(kFFFD) == json::value(kFFFD));
    CHECK(m.requests[1].id_text == "1e0");
}

TEST_CASE("utf-8: number literals are still found in a request read that way", "[jsonrpc]") {
    const Message& m = decoded("{\"jsonrpc\":\"2.0\",\"method\":\"S.M\",\"params\":{\"\xff\xff\":1,\"A\":1e2,\"B\":-0.0},\"id\":1}");
    REQUIRE(m.error_code == 0);
    REQUIRE(m.requests.size() == 1);
    plugrpc::NumberLiterals literals = m.literals();
    CHECK(literals.of(m.requests[0].params->at("A")) == "1e2");
    CHECK(literals.of(m.requests[0].params->at("B")) == "-0.0");
}

TEST_CASE("utf-8: the rewrite changes only strings, and says when it changed nothing", "[jsonrpc]") {
    auto rewrite = [](std::string_view text, bool changed) {
        std::string out;
        CHECK(rewrite_go_strings(text, out) == changed);
        return out;
    };
    std::string valid = R"({"a":["\"\\", "\ud800\udc00 \u00e9", 1.5e3, ")" "\xC3\xA9\xF4\x8F\xBF\xBF" R"("]})";
    CHECK(rewrite(valid, false) == valid);
    CHECK(rewrite("[1,\"\xff\"]", true) == "[1,\"" + kFFFD + "\"]");
    CHECK(rewrite("[\"a\\\"\xff\\\\\",\"\\udc80\"]", true) == "[\"a\\\"" + kFFFD + "\\\\\",\"\\ufffd\"]");
    // Outside strings nothing changes: the parse refuses it again.
    CHECK(rewrite("[1]\xff \\udc80", false) == "[1]\xff \\udc80");
    CHECK(rewrite("[\"\xff", true) == "[\"" + kFFFD); // cut short: the parse refuses it
}

TEST_CASE("utf-8: what Go's scanner refuses stays a parse error", "[jsonrpc]") {
    for (std::string text : {
             std::string("{\"method\":\"S.M\",\"params\":[\"\xff\"]\xff,\"id\":1}"),        // a stray byte outside a string
             std::string("{\"method\":\"S.M\",\"params\":[NaN,\"\xff\"],\"id\":1}"),         // NaN stays no JSON
             std::string("{\"method\":\"S.M\",\"params\":[Infinity,\"\\ud800\"],\"id\":1}"), // nor Infinity
             std::string("{\"method\":\"S.M\",\"params\":[\"\\ud80\"],\"id\":1}"),          // three hex digits
             std::string("{\"method\":\"S.M\",\"params\":[\"\\ud800\\u12\"],\"id\":1}"),
             std::string("{\"method\":\"S.M\",\"params\":[\"\\ud800\\x\"],\"id\":1}"),      // no such escape
             std::string("{\"method\":\"S.M\",\"params\":[\"\xff\x01\"],\"id\":1}"),        // a control byte
             std::string("{\"method\":\"S.M\",\"params\":[\"\xff],\"id\":1}"),              // unterminated
             std::string("{\"method\":\"S.M\",\"params\":[\"\xff\"],\"id\":1}}"),
             std::string("{\"jsonrpc\":\"2.0\",\"method\":\"S.M\",\"params\":[\"\\udc80\"],\"id\":1,}"),
             std::string("\xff{\"method\":\"S.M\",\"params\":[1],\"id\":1}"),
         }) {
        INFO(text);
        const Message& m = decoded(text);
        CHECK(m.error_code == ParseError);
        CHECK_THAT(m.error, Catch::StartsWith("Parse error: "));
        CHECK(m.requests.empty());
    }
}

TEST_CASE("utf-8: the depth bound holds for a request read that way", "[jsonrpc]") {
    DecodeLimits limits;
    limits.max_depth = 4;
    CHECK(decode("{\"jsonrpc\":\"2.0\",\"method\":\"A.B\",\"params\":[[\"\xff\"]],\"id\":1}", limits).error_code == 0);
    CHECK(decode("{\"jsonrpc\":\"2.0\",\"method\":\"A.B\",\"params\":[[[[\"\xff\"]]]],\"id\":1}", limits).error_code ==
          ParseError);
    CHECK(decode("{\"jsonrpc\":\"2.0\",\"method\":\"A.B\",\"params\":[[[[\"\\udc80\"]]]],\"id\":1}", limits).error_code ==
          ParseError);
}

} // namespace unit_jsonrpc_message_utf8
