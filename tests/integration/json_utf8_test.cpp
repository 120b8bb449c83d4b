// Strings that are not UTF-8 or hold lone surrogate escapes, sent by a JSON
// client to the real daemon over a TCP stream and over HTTP POST, in both
// dialects: read as Go's encoding/json reads them (U+FFFD for each such
// byte or escape), the id echoed with the bytes it came with, and the
// connection serving on. tests/interop (scenario edges) compares the same
// against Go's own server byte for byte.
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

using namespace plugrpc::test;

namespace json_utf8 {

const std::string kFFFD = "\xEF\xBF\xBD";

// Kitchen.Concat of strings with a stray byte, a cut sequence, an overlong
// NUL, an encoded surrogate, and lone surrogate escapes; and what it answers.
const std::string kStrings = "[\"\xff\",\"\xe2\x82\",\"\xc0\x80\",\"\xed\xa0\x80\",\"\\udc80\",\"\\ud800\\u0041\",\"\\ud800x\"]";
const std::string kConcat = kFFFD + kFFFD + kFFFD + kFFFD + kFFFD + kFFFD + kFFFD + kFFFD + kFFFD + kFFFD + "A" + kFFFD + "x";

DaemonOptions kitchen_daemon() {
    DaemonOptions o;
    o.plugins.push_back(PLUGRPC_TEST_KITCHEN_PLUGIN);
    return o;
}

std::string go_request(const std::string& params, const std::string& id) {
    return "{\"method\":\"Kitchen.Concat\",\"params\":[" + params + "],\"id\":" + id + "}";
}

std::string v2_request(const std::string& params, const std::string& id) {
    return "{\"jsonrpc\":\"2.0\",\"method\":\"Kitchen.Concat\",\"params\":[" + params + "],\"id\":" + id + "}";
}

TEST_CASE("strings that are not UTF-8 or hold lone surrogates are read as Go reads them over a TCP stream") {
    Daemon d(kitchen_daemon());
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, go_request(kStrings, "\"\xfe\\udc80\"")) ==
          "{\"id\":\"\xfe\\udc80\",\"result\":\"" + kConcat + "\",\"error\":null}");
    CHECK(call_line(c, v2_request(kStrings, "7")) == "{\"jsonrpc\":\"2.0\",\"result\":\"" + kConcat + "\",\"id\":7}");
    CHECK(call_line(c, "{\"method\":\"Kitchen.\xff\",\"params\":[{}],\"id\":8}") ==
          "{\"id\":8,\"result\":null,\"error\":\"rpc: can't find method Kitchen." + kFFFD + "\"}");
    // Still no JSON: a byte outside a string, NaN beside such a string.
    CHECK_THAT(call_line(c, "{\"method\":\"Kitchen.Concat\",\"params\":[[\"\xff\",NaN]],\"id\":9}"),
               Catch::Contains("Parse error"));
    // The connection serves on.
    CHECK(call_line(c, R"({"method":"Arith.Multiply","params":[{"A":6,"B":7}],"id":10})") ==
          R"({"id":10,"result":42,"error":null})");
}

// An HTTP reply's body, its trailing newline left out.
std::string body(const HttpResponse& r) {
    std::string b = r.body;
    if (!b.empty() && b.back() == '\n') b.pop_back();
    return b;
}

TEST_CASE("strings that are not UTF-8 or hold lone surrogates are read as Go reads them over HTTP POST") {
    Daemon d(kitchen_daemon());
    HttpClient http(d.port());
    HttpResponse r = http.post("/_goRPC_", v2_request(kStrings, "\"\\ud800\xff\""));
    CHECK(r.status == 200);
    CHECK(body(r) == "{\"jsonrpc\":\"2.0\",\"result\":\"" + kConcat + "\",\"id\":\"\\ud800\xff\"}");
    r = http.post("/_goRPC_", "[" + v2_request(kStrings, "1") + "," + v2_request(R"(["\udfff"])", "2") + "]");
    CHECK(r.status == 200);
    CHECK(body(r) == "[{\"jsonrpc\":\"2.0\",\"result\":\"" + kConcat + "\",\"id\":1},{\"jsonrpc\":\"2.0\",\"result\":\"" +
                        kFFFD + "\",\"id\":2}]");
    r = http.post("/_goRPC_", go_request(kStrings, "3"));
    CHECK(r.status == 200);
    CHECK(body(r) == "{\"id\":3,\"result\":\"" + kConcat + "\",\"error\":null}");
}

TEST_CASE("a message over max_message_bytes is answered with its id as the message would have echoed it") {
    DaemonOptions o = kitchen_daemon();
    o.extra_config = "[limits]\nmax_message_bytes = 4096\n";
    Daemon d(o);
    Connection c = Connection::tcp(d.port());
    const std::string request = go_request("[\"" + std::string(8192, 'x') + "\"]", "\"<\xff\\udc80\"");
    const std::string why = "Invalid Request: message of " + std::to_string(request.size()) +
                            " bytes exceeds the server's limit of 4096 bytes";
    CHECK(call_line(c, request) ==
          "{\"id\":\"\\u003c\xff\\udc80\",\"result\":null,\"error\":\"" + why + "\"}");
    CHECK(call_line(c, go_request(kStrings, "1")) == "{\"id\":1,\"result\":\"" + kConcat + "\",\"error\":null}");
}

TEST_CASE("a Go request over max_message_bytes echoes its id as Go's server reads it: any case, any kind, the last") {
    DaemonOptions o = kitchen_daemon();
    o.extra_config = "[limits]\nmax_message_bytes = 1024\n";
    Daemon d(o);
    Connection c = Connection::tcp(d.port());
    const std::string big = "[\"" + std::string(4096, 'x') + "\"]";
    auto over = [&](const std::string& request) {
        return "\"error\":\"Invalid Request: message of " + std::to_string(request.size()) +
               " bytes exceeds the server's limit of 1024 bytes\"}";
    };
    std::string request = "{\"method\":\"Kitchen.Concat\",\"params\":[" + big + "],\"ID\":[1, {\"a\" : 2}]}";
    CHECK(call_line(c, request) == "{\"id\":[1,{\"a\":2}],\"result\":null," + over(request));
    request = "{\"method\":\"Kitchen.Concat\",\"params\":[" + big + "],\"id\":3,\"Id\":true}";
    CHECK(call_line(c, request) == "{\"id\":true,\"result\":null," + over(request));
    // The next message, in the same read and within 4096 bytes, does not
    // decide the skipped one's dialect.
    request = "{\"method\":\"Kitchen.Concat\",\"params\":[[\"" + std::string(2000, 'x') + "\"]],\"id\":4}";
    CHECK(call_line(c, request + "\n" + v2_request(kStrings, "5")) == "{\"id\":4,\"result\":null," + over(request));
}

} // namespace json_utf8
