// Every example of JSON-RPC 2.0's section 7, sent exactly as the
// specification writes it, over a TCP stream and over HTTP POST to the
// rpc_path: the answers are the specification's, compared as JSON (member
// order free, a batch's answers in any order, error messages ours but codes
// and ids exact), and a request or batch that is all notifications gets
// nothing (HTTP: 204 No Content, no body). The methods are
// tests/plugins/spec7's Spec.*, called by their flat names through
// [jsonrpc] default_service = "Spec".
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace plugrpc::test;
namespace json = boost::json;

namespace spec_examples {

struct Example {
    const char* what;
    const char* request;
    const char* answer; // nullptr: no answer at all
    bool breaks_stream = false; // not JSON: over TCP the connection closes after the answer
};

// Section 7, in the specification's order and spelling.
const Example kExamples[] = {
    {"rpc call with positional parameters", R"({"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1})",
     R"({"jsonrpc": "2.0", "result": 19, "id": 1})"},
    {"rpc call with positional parameters, swapped", R"({"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2})",
     R"({"jsonrpc": "2.0", "result": -19, "id": 2})"},
    {"rpc call with named parameters",
     R"({"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3})",
     R"({"jsonrpc": "2.0", "result": 19, "id": 3})"},
    {"rpc call with named parameters, reordered",
     R"({"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4})",
     R"({"jsonrpc": "2.0", "result": 19, "id": 4})"},
    {"a notification", R"({"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]})", nullptr},
    {"a notification of a method that does not exist", R"({"jsonrpc": "2.0", "method": "foobar"})", nullptr},
    {"rpc call of non-existent method", R"({"jsonrpc": "2.0", "method": "foobar", "id": "1"})",
     R"({"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"})"},
    {"rpc call with invalid JSON", R"({"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz])",
     R"({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null})", true},
    {"rpc call with invalid Request object", R"({"jsonrpc": "2.0", "method": 1, "params": "bar"})",
     R"({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null})"},
    {"rpc call Batch, invalid JSON",
     "[\n  {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},\n"
     "  {\"jsonrpc\": \"2.0\", \"method\"\n]",
     R"({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null})", true},
    {"rpc call with an empty Array", "[]",
     R"({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null})"},
    {"rpc call with an invalid Batch (but not empty)", "[1]",
     R"([{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}])"},
    {"rpc call with invalid Batch", "[1,2,3]",
     R"([{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
         {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
         {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}])"},
    {"rpc call Batch",
     "[\n"
     "  {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},\n"
     "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]},\n"
     "  {\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42,23], \"id\": \"2\"},\n"
     "  {\"foo\": \"boo\"},\n"
     "  {\"jsonrpc\": \"2.0\", \"method\": \"foo.get\", \"params\": {\"name\": \"myself\"}, \"id\": \"5\"},\n"
     "  {\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": \"9\"}\n"
     "]",
     R"([{"jsonrpc": "2.0", "result": 7, "id": "1"},
         {"jsonrpc": "2.0", "result": 19, "id": "2"},
         {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
         {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
         {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}])"},
    {"rpc call Batch (all notifications)",
     "[\n"
     "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", \"params\": [1,2,4]},\n"
     "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]}\n"
     "]",
     nullptr},
};

// The notifications above that reach a method: update, notify_hello in the
// mixed batch, notify_sum and notify_hello in the last.
constexpr std::int64_t kNotificationsRun = 4;

// A response with its error message left out (the texts are ours; a
// message must still be there, a non-empty string).
json::value without_message(json::value v) {
    if (auto* o = v.if_object())
        if (auto* e = o->if_contains("error"); e && e->is_object()) {
            const json::value* m = e->as_object().if_contains("message");
            if (!m || !m->is_string() || m->as_string().empty())
                throw HarnessError("error without a message: " + json::serialize(v));
            e->as_object().erase("message");
        }
    return v;
}

// One answer, or a batch's answers in any order (the specification lets a
// server return them so), as comparable text.
std::vector<std::string> canonical(const json::value& answer) {
    auto text = [](const json::value& v) {
        // Objects compare member-order free; print them through a sorted copy.
        std::function<json::value(const json::value&)> sorted = [&](const json::value& x) -> json::value {
            if (auto* o = x.if_object()) {
                std::vector<std::pair<std::string, json::value>> m;
                for (const auto& kv : *o) m.emplace_back(std::string(kv.key()), sorted(kv.value()));
                std::sort(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
                json::object out;
                for (auto& [k, e] : m) out[k] = std::move(e);
                return out;
            }
            if (auto* a = x.if_array()) {
                json::array out;
                for (const auto& e : *a) out.push_back(sorted(e));
                return out;
            }
            return x;
        };
        return json::serialize(sorted(without_message(v)));
    };
    std::vector<std::string> out;
    if (answer.is_array()) {
        for (const auto& e : answer.as_array()) out.push_back(text(e));
        std::sort(out.begin(), out.end());
        out.insert(out.begin(), "batch of " + std::to_string(answer.as_array().size()));
    } else {
        out.push_back(text(answer));
    }
    return out;
}

DaemonOptions spec_daemon() {
    DaemonOptions o;
    o.plugins = {PLUGRPC_TEST_SPEC7_PLUGIN};
    o.extra_config = "[jsonrpc]\ndefault_service = \"Spec\"\n";
    return o;
}

std::int64_t notifications_run(Connection& c) {
    json::value v = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Notified","id":"count"})"));
    return member(v, "result").as_int64();
}

TEST_CASE("every example of JSON-RPC 2.0 section 7 gets the specification's answer over TCP") {
    Daemon d(spec_daemon());
    Connection c = Connection::tcp(d.port());
    for (const Example& e : kExamples) {
        INFO(e.what << ": " << e.request);
        if (e.breaks_stream) {
            // No value can be cut from these bytes: answered, then the
            // connection closes (README, "Protocols"). Each on its own.
            Connection alone = Connection::tcp(d.port());
            alone.send_line(e.request);
            CHECK(canonical(parse_json(alone.recv_line())) == canonical(parse_json(e.answer)));
            CHECK(alone.closed_by_peer());
            continue;
        }
        c.send_line(e.request);
        if (!e.answer) {
            // Nothing comes back: the next line is the answer to the next call.
            json::value next = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"subtract","params":[1,1],"id":"after"})"));
            CHECK(json::serialize(member(next, "id")) == R"("after")");
            continue;
        }
        CHECK(canonical(parse_json(c.recv_line())) == canonical(parse_json(e.answer)));
    }
    CHECK(notifications_run(c) == kNotificationsRun);
}

TEST_CASE("every example of JSON-RPC 2.0 section 7 gets the specification's answer over HTTP") {
    Daemon d(spec_daemon());
    HttpClient http(d.port());
    for (const Example& e : kExamples) {
        INFO(e.what << ": " << e.request);
        HttpResponse r = http.post("/_goRPC_", e.request);
        if (!e.answer) {
            // Nothing to answer: 204 No Content, without a body or a
            // Content-Length (RFC 9110 8.6), on a connection that serves on.
            CHECK(r.status == 204);
            CHECK(r.body.empty());
            CHECK(r.header("content-length").empty());
            continue;
        }
        CHECK(r.status == 200);
        CHECK(r.header("content-type") == "application/json");
        CHECK(canonical(parse_json(r.body)) == canonical(parse_json(e.answer)));
    }
    Connection c = Connection::tcp(d.port());
    CHECK(notifications_run(c) == kNotificationsRun);
}

TEST_CASE("a flat method name is only JSON-RPC 2.0's: Go's dialect and gob keep Go's ill-formed error") {
    Daemon d(spec_daemon());
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"method":"subtract","params":[{"minuend":42,"subtrahend":23}],"id":1})") ==
          R"({"id":1,"result":null,"error":"rpc: service/method request ill-formed: subtract"})");
    // The qualified name works in both dialects.
    CHECK(call_line(c, R"({"method":"Spec.subtract","params":[{"minuend":42,"subtrahend":23}],"id":2})") ==
          R"({"id":2,"result":19,"error":null})");
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Spec.subtract","params":[42,23],"id":3})") ==
          R"({"jsonrpc":"2.0","result":19,"id":3})");
}

TEST_CASE("without default_service a flat JSON-RPC 2.0 name is Method not found, naming it") {
    DaemonOptions o;
    o.plugins = {PLUGRPC_TEST_SPEC7_PLUGIN};
    Daemon d(o);
    Connection c = Connection::tcp(d.port());
    json::value v = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1})"));
    CHECK(member(member(v, "error"), "code") == -32601);
    CHECK(contains(json::serialize(v), "ill-formed: subtract"));
}

TEST_CASE("a method taking any JSON gets JSON-RPC 2.0 params as sent and Go's params[0]") {
    Daemon d(spec_daemon());
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":1})") ==
          R"({"jsonrpc":"2.0","result":7,"id":1})");
    // Go's jsonrpc: the argument is params[0], here the array itself.
    CHECK(call_line(c, R"({"method":"Spec.sum","params":[[1,2,4]],"id":2})") == R"({"id":2,"result":7,"error":null})");
    // A number past a double's range has no JSON text: refused, not read as infinity.
    json::value v = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"sum","params":[1e400],"id":3})"));
    CHECK(member(member(v, "error"), "code") == -32602);
}

} // namespace spec_examples
