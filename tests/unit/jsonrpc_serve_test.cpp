// Serving JSON-RPC messages through a real dispatcher and registry, with
// methods whose handlers are plain C functions using the host table, as a
// plugin written in C would.
#include "server/jsonrpc/plain_args_reader.hpp"
#include "server/jsonrpc/serve.hpp"
#include "server/plugin/loaded_plugin.hpp"
#include "server/rpc/dispatcher.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include <chrono>
#include <cstring>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_jsonrpc_serve {

using namespace plugrpc;
using namespace plugrpc::jsonrpc;

namespace {

const char* const kArgs = R"({"type":"object","title":"Args","properties":{"A":{"type":"integer","format":"int64"},"B":{"type":"integer","format":"int64"}}})";
const char* const kQuotient = R"({"type":"object","title":"Quotient","properties":{"Quo":{"type":"integer","format":"int64"},"Rem":{"type":"integer","format":"int64"}}})";
const char* const kInt = R"({"type":"integer","format":"int64"})";
const char* const kString = R"({"type":"string"})";
const char* const kText = R"({"type":"object","title":"Text","properties":{"Text":{"type":"string"}}})";

// ---- handlers: plain C, through the host table --------------------------------

int multiply(void*, plrpc_call* call, const char*, size_t) {
    const plrpc_host_v1* h = host_table();
    int64_t a = 0, b = 0;
    if (h->arg_int(call, "A", &a) != PLRPC_OK || h->arg_int(call, "B", &b) != PLRPC_OK) return PLRPC_ERROR;
    h->set_int(call, nullptr, a * b);
    return h->reply_fields(call);
}

int divide(void*, plrpc_call* call, const char*, size_t) {
    const plrpc_host_v1* h = host_table();
    int64_t a = 0, b = 0;
    h->arg_int(call, "A", &a);
    h->arg_int(call, "B", &b);
    if (b == 0) {
        const char* msg = "divide by zero";
        return h->reply_error(call, msg, std::strlen(msg));
    }
    h->set_int(call, "Quo", a / b);
    h->set_int(call, "Rem", a % b);
    return h->reply_fields(call);
}

int echo(void*, plrpc_call* call, const char* args, size_t len) { return host_table()->reply_json(call, args, len); }

int silent(void*, plrpc_call*, const char*, size_t) { return PLRPC_OK; }

// Replies with the JSON text it is given in its Text field, whatever it is.
int verbatim(void*, plrpc_call* call, const char*, size_t) {
    const char* text = nullptr;
    size_t len = 0;
    if (host_table()->arg_string(call, "Text", &text, &len) != PLRPC_OK) return PLRPC_ERROR;
    return host_table()->reply_json(call, text, len);
}

int wrong_reply(void*, plrpc_call* call, const char*, size_t) {
    const char* text = R"("not an integer")";
    return host_table()->reply_json(call, text, std::strlen(text));
}

// Flag.Raise (blocking) raises the flag; Flag.Await (run inline) waits up
// to 5 s for it and answers whether it saw it raised.
std::atomic<bool> g_flag{false};
int raise_flag(void*, plrpc_call* call, const char*, size_t) {
    g_flag = true;
    host_table()->set_int(call, nullptr, 1);
    return host_table()->reply_fields(call);
}
int await_flag(void*, plrpc_call* call, const char*, size_t) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!g_flag && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    host_table()->set_int(call, nullptr, g_flag ? 1 : 0);
    return host_table()->reply_fields(call);
}

// ---- a registry with those methods ----------------------------------------------

Method method(const std::string& service, const std::string& name, const char* args, const char* reply,
              plrpc_handler_fn handler, std::uint32_t flags = 0) {
    Method m;
    m.service = service;
    m.name = name;
    m.full_name = service + "." + name;
    m.args_schema_text = args;
    m.reply_schema_text = reply;
    auto a = parse_schema(m.args_schema_text);
    auto r = parse_schema(m.reply_schema_text);
    REQUIRE(a.schema);
    REQUIRE(r.schema);
    m.args = a.schema;
    m.reply = r.schema;
    m.handler = handler;
    m.flags = flags;
    return m;
}

struct Server {
    Dispatcher dispatcher{1};

    Server() {
        auto plugin = std::make_shared<LoadedPlugin>();
        plugin->name = "test";
        plugin->file = "/plugins/test.so";
        plugin->methods.push_back(method("Arith", "Multiply", kArgs, kInt, multiply));
        plugin->methods.push_back(method("Arith", "Divide", kArgs, kQuotient, divide));
        plugin->methods.push_back(method("Slow", "Multiply", kArgs, kInt, multiply, PLRPC_METHOD_BLOCKING));
        plugin->methods.push_back(method("Echo", "Int", kInt, kInt, echo));
        plugin->methods.push_back(method("Flag", "Raise", kArgs, kInt, raise_flag, PLRPC_METHOD_BLOCKING));
        plugin->methods.push_back(method("Flag", "Await", kArgs, kInt, await_flag));
        plugin->methods.push_back(method("Echo", "String", kString, kString, echo));
        plugin->methods.push_back(method("Broken", "Silent", kArgs, kInt, silent));
        plugin->methods.push_back(method("Broken", "WrongReply", kArgs, kInt, wrong_reply));
        plugin->methods.push_back(method("Reply", "Int64", kText, kInt, verbatim));
        plugin->methods.push_back(method("Reply", "Int8", kText, R"({"type":"integer","format":"int8"})", verbatim));
        plugin->methods.push_back(method("Reply", "Uint8", kText, R"({"type":"integer","format":"uint8"})", verbatim));
        plugin->methods.push_back(method("Reply", "Uint64", kText, R"({"type":"integer","format":"uint64"})", verbatim));
        auto registry = std::make_shared<Registry>();
        std::string error;
        REQUIRE(registry->add_plugin(plugin, error));
        dispatcher.publish(registry);
    }

    // Serve one message; the reply text handed to `done`, which must run once.
    // `unreadable`: the dialect a message that cannot be read is answered in;
    // `learned`: what serve_message() said of the sender's dialect.
    std::string serve(std::string_view text, Dialect unreadable = Dialect::V2,
                      std::optional<Dialect>* learned = nullptr) {
        std::promise<std::string> reply;
        auto future = reply.get_future();
        int calls = 0;
        std::optional<Dialect> dialect = serve_message(
            dispatcher, text, DecodeLimits{},
            [&](std::string_view out, Outcome::Kind) {
                ++calls;
                reply.set_value(std::string(out));
            },
            unreadable);
        if (learned) *learned = dialect;
        REQUIRE(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        std::string out = future.get();
        CHECK(calls == 1);
        return out;
    }

    // How serve_message() said the message went, beside its text.
    Outcome::Kind kind_of(std::string_view text) {
        std::promise<Outcome::Kind> kind;
        auto future = kind.get_future();
        serve_message(dispatcher, text, DecodeLimits{},
                      [&](std::string_view, Outcome::Kind k) { kind.set_value(k); });
        REQUIRE(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        return future.get();
    }

    std::uint64_t calls(std::string_view name) const { return dispatcher.registry()->find(name).method->stats->calls; }
    std::uint64_t errors(std::string_view name) const { return dispatcher.registry()->find(name).method->stats->errors; }
};

} // namespace

TEST_CASE("serve: a JSON-RPC 2.0 call with named params is answered with its result", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})") ==
          R"({"jsonrpc":"2.0","result":56,"id":1})");
}

TEST_CASE("serve: positional params fill the argument's fields in order", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Divide","params":[17,8],"id":"d"})") ==
          R"({"jsonrpc":"2.0","result":{"Quo":2,"Rem":1},"id":"d"})");
}

TEST_CASE("serve: positional params for a non-struct argument take the first element", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Echo.Int","params":[5],"id":1})") ==
          R"({"jsonrpc":"2.0","result":5,"id":1})");
}

TEST_CASE("serve: positional params for a non-struct argument are exactly one value", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Echo.Int","params":[5,6],"id":1})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: params: expected 1 positional value for int64, got 2"},"id":1})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Echo.String","params":[],"id":2})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: params: expected 1 positional value for string, got 0"},"id":2})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Echo.String","params":["a"],"id":3})") ==
          R"({"jsonrpc":"2.0","result":"a","id":3})");
}

TEST_CASE("serve: an integer parameter that is not exactly an integer is invalid params, naming the field", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":9.007199254740993e-15,"B":1},"id":1})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: field A: expected an integer (int64), got 9.007199254740993e-15"},"id":1})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[1,2.5],"id":2})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: field B: expected an integer (int64), got 2.5"},"id":2})");
    CHECK(s.serve(R"({"method":"Arith.Multiply","params":[{"A":123456789012345678901234567890,"B":1}],"id":3})") ==
          R"({"id":3,"result":null,"error":"field A: expected an integer (int64), got a number beyond 64 bits"})");
}

// Go's dialect reads an integer as Go's encoding/json does, with
// strconv.ParseInt on its text; JSON-RPC 2.0 takes its exact value. Each
// request is sent as read the short way (wire/jsonrpc/envelope.hpp), as
// parsed whole (a member the short way does not read), and in a batch.
TEST_CASE("serve: -0.0, 1.0 and 1e2 for an integer are refused in Go's dialect, -0 is 0", "[jsonrpc]") {
    Server s;
    auto go = [&](const char* a) {
        std::string params = std::string(R"([{"A":)") + a + R"(,"B":8}])";
        std::string short_way = s.serve(R"({"method":"Arith.Multiply","params":)" + params + R"(,"id":1})");
        std::string whole = s.serve(R"({"method":"Arith.Multiply","x":0,"params":)" + params + R"(,"id":1})");
        CHECK(short_way == whole);
        return short_way;
    };
    CHECK(go("-0") == R"({"id":1,"result":0,"error":null})");
    CHECK(go("-0.0") == R"({"id":1,"result":null,"error":"field A: expected an integer (int64), got -0.0"})");
    CHECK(go("1.0") == R"({"id":1,"result":null,"error":"field A: expected an integer (int64), got 1.0"})");
    CHECK(go("1e2") == R"({"id":1,"result":null,"error":"field A: expected an integer (int64), got 1e2"})");
    CHECK(go("1E0") == R"({"id":1,"result":null,"error":"field A: expected an integer (int64), got 1E0"})");
}

TEST_CASE("serve: JSON-RPC 2.0 takes an integer however written, never rounded", "[jsonrpc]") {
    Server s;
    auto v2 = [&](const char* a) {
        std::string params = std::string(R"({"A":)") + a + R"(,"B":1})";
        std::string short_way = s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":)" + params + R"(,"id":1})");
        std::string whole = s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","x":0,"params":)" + params + R"(,"id":1})");
        std::string batch = s.serve(R"([{"jsonrpc":"2.0","method":"Arith.Multiply","params":)" + params + R"(,"id":1}])");
        CHECK(short_way == whole);
        CHECK("[" + short_way + "]" == batch);
        return short_way;
    };
    CHECK(v2("-0") == R"({"jsonrpc":"2.0","result":0,"id":1})");
    CHECK(v2("-0.0") == R"({"jsonrpc":"2.0","result":0,"id":1})");
    CHECK(v2("1.0") == R"({"jsonrpc":"2.0","result":1,"id":1})");
    CHECK(v2("1e2") == R"({"jsonrpc":"2.0","result":100,"id":1})");
    CHECK(v2("9.007199254740993e15") == R"({"jsonrpc":"2.0","result":9007199254740993,"id":1})");
    CHECK(v2("1.00000000000000001") ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: field A: expected an integer (int64), got 1.00000000000000001"},"id":1})");
    CHECK(v2("-1e-400") ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: field A: expected an integer (int64), got -1e-400"},"id":1})");
}

TEST_CASE("serve: Go's dialect fills no struct from an array, JSON-RPC 2.0 does", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"method":"Arith.Multiply","params":[[7,8]],"id":1})") ==
          R"({"id":1,"result":null,"error":"params: expected an object Args, got an array"})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[7,8],"id":2})") ==
          R"({"jsonrpc":"2.0","result":56,"id":2})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[[7,8],9],"id":3})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: field A: expected an integer (int64), got an array"},"id":3})");
}

TEST_CASE("serve: ids are echoed as written, in replies and in errors", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":123456789012345678901234567890})") ==
          R"({"id":123456789012345678901234567890,"result":56,"error":null})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[7,8],"id":-0})") ==
          R"({"jsonrpc":"2.0","result":56,"id":-0})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Nope","params":[7,8],"id":1.50})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: rpc: can't find method Arith.Nope"},"id":1.50})");
    CHECK(s.serve(R"([{"jsonrpc":"2.0","method":"Arith.Multiply","params":[7,8],"id":1e3}])") ==
          R"([{"jsonrpc":"2.0","result":56,"id":1e3}])");
}

TEST_CASE("serve: a Go jsonrpc call is answered in Go's shape", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"method":"Arith.Divide","params":[{"A":17,"B":8}],"id":0})") ==
          R"({"id":0,"result":{"Quo":2,"Rem":1},"error":null})");
}

TEST_CASE("serve: a method's own error reaches a Go client verbatim", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"method":"Arith.Divide","params":[{"A":1,"B":0}],"id":4})") ==
          R"({"id":4,"result":null,"error":"divide by zero"})");
}

TEST_CASE("serve: a method's own error is a -32000 server error in JSON-RPC 2.0, with no result", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":0},"id":2})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32000,"message":"divide by zero"},"id":2})");
}

TEST_CASE("serve: a Go call with missing params gets Go's error, and the method is not run", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"method":"Arith.Multiply","id":5})") ==
          R"({"id":5,"result":null,"error":"jsonrpc: request body missing params"})");
    CHECK(s.calls("Arith.Multiply") == 0);
}

TEST_CASE("serve: a Go call with empty params runs the method on the zero struct", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"method":"Arith.Multiply","params":[],"id":6})") == R"({"id":6,"result":0,"error":null})");
}

TEST_CASE("serve: a Go call with empty params runs the method on the zero integer", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"method":"Echo.Int","params":[],"id":6})") == R"({"id":6,"result":0,"error":null})");
}

TEST_CASE("serve: fields left out of the argument are zero", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7},"id":1})") ==
          R"({"jsonrpc":"2.0","result":0,"id":1})");
}

TEST_CASE("serve: a batch with a notification gets only the other replies, in request order", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"([{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1},)"
                  R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":1,"B":1}},)"
                  R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":0},"id":2}])") ==
          R"([{"jsonrpc":"2.0","result":56,"id":1},{"jsonrpc":"2.0","error":{"code":-32000,"message":"divide by zero"},"id":2}])");
    CHECK(s.calls("Arith.Multiply") == 2); // the notification ran too
}

TEST_CASE("serve: a batch of notifications only is answered with nothing", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"([{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8}},)"
                  R"({"jsonrpc":"2.0","method":"Arith.Nope","params":{}}])") == "");
    CHECK(s.calls("Arith.Multiply") == 1);
}

TEST_CASE("serve: a single notification is answered with nothing, even when it fails", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8}})") == "");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":7,"B":0}})") == "");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Nope"})") == "");
}

TEST_CASE("serve: an invalid element of a batch is answered in its place", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"([{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":2,"B":3},"id":1},5])") ==
          R"([{"jsonrpc":"2.0","result":6,"id":1},{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request: expected an object"},"id":null}])");
}

TEST_CASE("serve: an unknown method is -32601 with Go's text", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Nope","params":{},"id":1})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: rpc: can't find method Arith.Nope"},"id":1})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Nope.Multiply","params":{},"id":1})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: rpc: can't find service Nope.Multiply"},"id":1})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Multiply","params":{},"id":1})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: rpc: service/method request ill-formed: Multiply"},"id":1})");
}

TEST_CASE("serve: an unknown method reaches a Go client as Go's own text", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"method":"Arith.Nope","params":[{}],"id":9})") ==
          R"({"id":9,"result":null,"error":"rpc: can't find method Arith.Nope"})");
}

TEST_CASE("serve: invalid params are -32602 naming the field and why", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":"seven","B":8},"id":1})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: field A: expected an integer (int64), got a string"},"id":1})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[1,2,3],"id":2})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: params: expected 2 positional values for Args, got 3"},"id":2})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[7],"id":3})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: params: expected 2 positional values for Args, got 1"},"id":3})");
}

TEST_CASE("serve: invalid params count as a call and an error of the method", "[jsonrpc]") {
    Server s;
    s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":"seven"},"id":1})");
    s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":1,"B":2},"id":2})");
    CHECK(s.calls("Arith.Multiply") == 2);
    CHECK(s.errors("Arith.Multiply") == 1);
}

TEST_CASE("serve: a method's own error counts as an error of the method", "[jsonrpc]") {
    Server s;
    s.serve(R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":0},"id":1})");
    s.serve(R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":4,"B":2},"id":2})");
    CHECK(s.calls("Arith.Divide") == 2);
    CHECK(s.errors("Arith.Divide") == 1);
}

TEST_CASE("serve: malformed JSON is a -32700 parse error with id null", "[jsonrpc]") {
    Server s;
    std::string out = s.serve(R"({"jsonrpc":"2.0","method":"foobar,"params":"bar","baz])");
    CHECK_THAT(out, Catch::StartsWith(R"({"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error: )"));
    CHECK_THAT(out, Catch::EndsWith(R"("},"id":null})"));
}

TEST_CASE("serve: malformed JSON from a Go jsonrpc peer is a Go-shaped error, which Go's client can read", "[jsonrpc]") {
    // Go's client reads "error" as a string; an object there shuts it down.
    Server s;
    std::string out = s.serve(R"({"method":"Arith.Multiply","params":[{"A":7,"B":}],"id":1})", Dialect::Go);
    CHECK_THAT(out, Catch::StartsWith(R"({"id":null,"result":null,"error":"Parse error: )"));
    CHECK_THAT(out, Catch::EndsWith(R"("})"));
}

TEST_CASE("serve: a batch's own errors are JSON-RPC 2.0 whatever the peer's dialect (batches are 2.0 only)", "[jsonrpc]") {
    Server s;
    CHECK(s.serve("[]", Dialect::Go) ==
          R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request: empty batch"},"id":null})");
}

TEST_CASE("serve: the dialect of a message is learned from its request, nothing from one that cannot be read", "[jsonrpc]") {
    Server s;
    std::optional<Dialect> d;
    s.serve(R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1})", Dialect::V2, &d);
    CHECK(d == Dialect::Go);
    s.serve(R"({"method":"Nope.Nope","params":[{}],"id":1})", Dialect::V2, &d);
    CHECK(d == Dialect::Go);
    s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})", Dialect::Go, &d);
    CHECK(d == Dialect::V2);
    s.serve(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8}})", Dialect::Go, &d);
    CHECK(d == Dialect::V2); // a notification
    s.serve(R"([{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1}])", Dialect::Go, &d);
    CHECK(d == Dialect::V2);
    s.serve(R"({"jsonrpc":"1.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})", Dialect::Go, &d);
    CHECK(d == Dialect::V2); // invalid, but only a 2.0 client sends "jsonrpc"
    s.serve(R"({"method":"Arith.Multiply",)", Dialect::Go, &d);
    CHECK_FALSE(d);
    s.serve(R"({"id":1})", Dialect::V2, &d);
    CHECK_FALSE(d); // no "jsonrpc", but no request of Go's client either
    s.serve("[]", Dialect::Go, &d);
    CHECK_FALSE(d);
}

TEST_CASE("serve: a UTF-8 byte order mark before the message is skipped", "[jsonrpc]") {
    Server s;
    CHECK(s.serve("\xEF\xBB\xBF" R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})") ==
          R"({"jsonrpc":"2.0","result":56,"id":1})");
    CHECK(s.serve("\xEF\xBB\xBF" R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":2})") ==
          R"({"id":2,"result":56,"error":null})");
    // Only one, and only first: a second mark is not JSON.
    CHECK_THAT(s.serve("\xEF\xBB\xBF\xEF\xBB\xBF" R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})"),
               Catch::StartsWith(R"({"jsonrpc":"2.0","error":{"code":-32700,)"));
}

TEST_CASE("serve: guess_dialect: Go's for what begins as Go's client writes a request, 2.0 otherwise", "[jsonrpc]") {
    CHECK(guess_dialect(R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":0})") == Dialect::Go);
    CHECK(guess_dialect("\xEF\xBB\xBF \n" R"({"method":"Arith.Multiply","params":[{"A":)") == Dialect::Go);
    CHECK(guess_dialect(R"({"method":"Arith.Multiply","jsonrpc":"2.0","params":[)") == Dialect::V2);
    CHECK(guess_dialect(R"({"jsonrpc":"2.0","method":"Arith.Multiply")") == Dialect::V2);
    CHECK(guess_dialect(R"({ "method": "Arith.Multiply")") == Dialect::V2);
    CHECK(guess_dialect(R"([{"method":"Arith.Multiply","params":[{}],"id":0}])") == Dialect::V2);
    CHECK(guess_dialect("{]") == Dialect::V2);
    CHECK(guess_dialect("") == Dialect::V2);
}

TEST_CASE("serve: an empty batch is one -32600 error with id null", "[jsonrpc]") {
    Server s;
    CHECK(s.serve("[]") == R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request: empty batch"},"id":null})");
}

TEST_CASE("serve: a method that returns without answering is an internal error", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Broken.Silent","params":{},"id":1})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error: Broken.Silent: the method returned without answering"},"id":1})");
}

TEST_CASE("serve: a reply that does not match the reply schema is an internal error", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Broken.WrongReply","params":{},"id":1})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error: Broken.WrongReply: the plugin's reply does not match its schema: params: expected an integer (int64), got a string"},"id":1})");
}

// Plain decimal integer replies skip the JSON parser (host_api.cpp,
// integer_reply); every other text takes the general path. Both must agree.
TEST_CASE("serve: integer replies are checked alike on the short path and the general one", "[jsonrpc]") {
    Server s;
    auto reply = [&](const char* method, const char* text) {
        return s.serve(std::string(R"({"jsonrpc":"2.0","method":")") + method + R"(","params":{"Text":")" + text +
                       R"("},"id":1})");
    };
    auto result = [](const char* r) { return std::string(R"({"jsonrpc":"2.0","result":)") + r + R"(,"id":1})"; };
    auto internal = [](const char* method, const char* why) {
        return std::string(R"({"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error: )") + method + ": " +
               why + R"("},"id":1})";
    };
    const std::string overflow8 = "the plugin's reply does not match its schema: params: value ";
    CHECK(reply("Reply.Int64", "56") == result("56"));
    CHECK(reply("Reply.Int64", "-7") == result("-7"));
    CHECK(reply("Reply.Int64", "0") == result("0"));
    CHECK(reply("Reply.Int64", "-0") == result("0"));
    CHECK(reply("Reply.Int64", "-9223372036854775808") == result("-9223372036854775808"));
    CHECK(reply("Reply.Int64", " 5 ") == result("5"));  // general path: JSON allows the blanks
    CHECK(reply("Reply.Int64", "5.0") ==
          internal("Reply.Int64", "the plugin's reply does not match its schema: params: expected an integer (int64), "
                                  "got 5.0")); // general path: not a literal, as Go's encoding/json reads a reply
    CHECK(reply("Reply.Int64", "-0.0") ==
          internal("Reply.Int64", "the plugin's reply does not match its schema: params: expected an integer (int64), "
                                  "got -0.0"));
    CHECK(reply("Reply.Int64", "007") == internal("Reply.Int64", "the plugin's reply is not valid JSON: text after the value at offset 1"));
    CHECK(reply("Reply.Int64", "+5") ==
          internal("Reply.Int64", "the plugin's reply is not valid JSON: unexpected character at offset 0"));
    CHECK(reply("Reply.Int64", "9223372036854775808") ==
          internal("Reply.Int64", (overflow8 + "9223372036854775808 overflows int64").c_str()));
    CHECK(reply("Reply.Int8", "127") == result("127"));
    CHECK(reply("Reply.Int8", "-128") == result("-128"));
    CHECK(reply("Reply.Int8", "128") == internal("Reply.Int8", (overflow8 + "128 overflows int8").c_str()));
    CHECK(reply("Reply.Int8", "-129") == internal("Reply.Int8", (overflow8 + "-129 overflows int8").c_str()));
    CHECK(reply("Reply.Uint8", "255") == result("255"));
    CHECK(reply("Reply.Uint8", "256") == internal("Reply.Uint8", (overflow8 + "256 overflows uint8").c_str()));
    CHECK(reply("Reply.Uint8", "-1") ==
          internal("Reply.Uint8",
                   "the plugin's reply does not match its schema: params: expected an unsigned integer (uint8), got -1"));
    CHECK(reply("Reply.Uint64", "18446744073709551615") == result("18446744073709551615"));
}

TEST_CASE("serve: a struct's plain arguments are read as text for the method, in either dialect", "[jsonrpc]") {
    Server s;
    // "declined", or the method and the text; and what method_for() gives
    // back after: the method looked up, taken or not, for that name only.
    auto read = [&](std::string_view method, bool v2, std::string_view params) {
        std::string text;
        PlainArgsReader reader(s.dispatcher, text);
        bool took = reader.read(method, v2, params);
        CHECK_FALSE(reader.method_for("Other.Name"));
        MethodPtr m = reader.method_for(method);
        CHECK_FALSE(reader.method_for(method)); // handed over once
        std::string found = m ? m->full_name : "none";
        if (!took) {
            CHECK(text.empty());
            return "declined, found " + found;
        }
        CHECK(reader.text() == text);
        return found + " " + text;
    };
    CHECK(read("Arith.Multiply", true, R"({"B":8,"A":7})") == R"(Arith.Multiply {"A":7,"B":8})");
    CHECK(read("Arith.Divide", false, " [ {\"A\":7} ]\n") == R"(Arith.Divide {"A":7,"B":0})");
    CHECK(read("Arith.Multiply", false, R"({"A":7})") == "declined, found Arith.Multiply"); // Go's lenient object: the general way
    CHECK(read("Arith.Multiply", true, R"([{"A":7}])") == "declined, found Arith.Multiply"); // 2.0 by position
    CHECK(read("Arith.Multiply", false, "[]") == "declined, found Arith.Multiply"); // Go's zero value
    CHECK(read("Arith.Multiply", false, R"([{"A":1},{"A":2}])") == "declined, found Arith.Multiply");
    CHECK(read("Arith.Multiply", false, R"([{"A":1}]])") == "declined, found Arith.Multiply");
    CHECK(read("Echo.Int", false, "[7]") == "declined, found Echo.Int"); // not a struct
    CHECK(read("No.Such", true, "{}") == "declined, found none");
    CHECK(read("rpc.discover", true, "{}") == "declined, found none"); // the dispatcher's own
}

TEST_CASE("serve: requests read the short way and the general way are answered alike", "[jsonrpc]") {
    Server s;
    // Each pair: the plain form, then one only the general path reads (an escape).
    for (auto [plain, general] : std::vector<std::pair<std::string, std::string>>{
             {R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1})",
              R"({"method":"Arith.Multiply","params":[{"\u0041":7,"B":8}],"id":1})"},
             {R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":7},"id":"x"})",
              R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"\u0041":7},"id":"x"})"},
             {R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"B":2,"A":-7},"id":2})",
              R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"B":2,"\u0041":-7},"id":2})"},
             {R"({"jsonrpc":"2.0","method":"Slow.Multiply","params":{"A":3,"B":5},"id":3})",
              R"({"jsonrpc":"2.0","method":"Slow.Multiply","params":{"A":3,"\u0042":5},"id":3})"},
             {R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":3,"B":5}})",
              R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":3,"\u0042":5}})"},
             {R"({"jsonrpc":"1.0","method":"Arith.Multiply","params":{"A":3,"B":5},"id":4})",
              R"({"jsonrpc":"1.0","method":"Arith.Multiply","params":{"A":3,"\u0042":5},"id":4})"},
         }) {
        INFO(plain);
        CHECK(s.serve(plain) == s.serve(general));
    }
    CHECK(s.serve(R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1})") ==
          R"({"id":1,"result":56,"error":null})");
    CHECK(s.calls("Arith.Multiply") == 5); // two pairs and the last; "1.0" is never run
    CHECK(s.calls("Slow.Multiply") == 2);
}

TEST_CASE("serve: the handler sees the argument in canonical form", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Echo.Int","params":[ 7 ],"id":1})") ==
          R"({"jsonrpc":"2.0","result":7,"id":1})");
    CHECK(s.serve(R"({"jsonrpc":"2.0","method":"Echo.String","params":["h\u00e9\"llo"],"id":2})") ==
          "{\"jsonrpc\":\"2.0\",\"result\":\"h\xc3\xa9\\\"llo\",\"id\":2}");
}

TEST_CASE("serve: a string that is not UTF-8 reaches the method as Go reads it, and the reply is Go's server's",
          "[jsonrpc]") {
    Server s;
    const std::string fffd = "\xEF\xBF\xBD";
    // Echoed through the method: each bad byte or lone surrogate is U+FFFD,
    // written as itself; the id comes back with the bytes it was sent with.
    CHECK(s.serve("{\"method\":\"Echo.String\",\"params\":[\"a\xff" "b\\udc80\\ud800\\u0041\"],\"id\":\"\xfe\"}") ==
          "{\"id\":\"\xfe\",\"result\":\"a" + fffd + "b" + fffd + fffd + "A\",\"error\":null}");
    CHECK(s.serve("{\"jsonrpc\":\"2.0\",\"method\":\"Echo.String\",\"params\":[\"\xed\xa0\x80\\ud800\"],\"id\":\"\\udc80\"}") ==
          "{\"jsonrpc\":\"2.0\",\"result\":\"" + fffd + fffd + fffd + fffd + "\",\"id\":\"\\udc80\"}");
    CHECK(s.serve("{\"jsonrpc\":\"2.0\",\"method\":\"Arith.Multiply\",\"params\":{\"A\":6,\"B\":7,\"\xff\":1},\"id\":3}") ==
          R"({"jsonrpc":"2.0","result":42,"id":3})");
    // Names: Go's lookup texts, with U+FFFD where the bytes were.
    CHECK(s.serve("{\"method\":\"No\xff.M\",\"params\":[{}],\"id\":1}") ==
          "{\"id\":1,\"result\":null,\"error\":\"rpc: can't find service No" + fffd + ".M\"}");
    CHECK(s.serve("{\"method\":\"Arith.\\udc80\",\"params\":[{}],\"id\":2}") ==
          "{\"id\":2,\"result\":null,\"error\":\"rpc: can't find method Arith." + fffd + "\"}");
    CHECK(s.serve("{\"jsonrpc\":\"2.0\",\"method\":\"\xc0\x80\",\"params\":{},\"id\":3}") ==
          "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found: rpc: service/method request "
          "ill-formed: " + fffd + fffd + "\"},\"id\":3}");
    CHECK(s.calls("Arith.Multiply") == 1);
}

TEST_CASE("serve: a blocking method is answered from the worker pool", "[jsonrpc]") {
    Server s;
    std::promise<std::thread::id> where;
    std::promise<std::string> reply;
    serve_message(s.dispatcher, R"({"jsonrpc":"2.0","method":"Slow.Multiply","params":{"A":6,"B":7},"id":1})",
                  DecodeLimits{}, [&](std::string_view out, Outcome::Kind) {
                      where.set_value(std::this_thread::get_id());
                      reply.set_value(std::string(out));
                  });
    auto f = reply.get_future();
    REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(f.get() == R"({"jsonrpc":"2.0","result":42,"id":1})");
    CHECK(where.get_future().get() != std::this_thread::get_id());
}

TEST_CASE("serve: a batch mixing blocking and inline methods joins every reply", "[jsonrpc]") {
    Server s;
    CHECK(s.serve(R"([{"jsonrpc":"2.0","method":"Slow.Multiply","params":{"A":6,"B":7},"id":1},)"
                  R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":2,"B":2},"id":2}])") ==
          R"([{"jsonrpc":"2.0","result":42,"id":1},{"jsonrpc":"2.0","result":4,"id":2}])");
}

TEST_CASE("serve: in a session's turn, a blocking call starts before an inline call after it runs, not after",
          "[jsonrpc]") {
    Server s;
    // The pool's thread idle first (a thread just started takes queued work
    // on its own, which would hide the wake this is about).
    s.serve(R"({"jsonrpc":"2.0","method":"Slow.Multiply","params":{"A":1,"B":1},"id":0})");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    g_flag = false;
    std::string reply;
    {
        // As StreamSession::process() holds one around its turn's calls.
        plugrpc::Dispatcher::Turn turn(&s);
        reply = s.serve(R"([{"jsonrpc":"2.0","method":"Flag.Raise","params":{},"id":1},)"
                        R"({"jsonrpc":"2.0","method":"Flag.Await","params":{},"id":2}])");
    }
    // Flag.Await saw the flag: the blocking call ran while it waited.
    CHECK(reply == R"([{"jsonrpc":"2.0","result":1,"id":1},{"jsonrpc":"2.0","result":1,"id":2}])");
}

TEST_CASE("serve: no call stays in flight once every reply is out", "[jsonrpc]") {
    Server s;
    s.serve(R"([{"jsonrpc":"2.0","method":"Slow.Multiply","params":{"A":6,"B":7},"id":1},)"
            R"({"jsonrpc":"2.0","method":"Broken.Silent","params":{},"id":2}])");
    CHECK(s.dispatcher.inflight() == 0);
}

TEST_CASE("serve: the reply says how its call went, so HTTP can answer an overloaded call 503", "[jsonrpc]") {
    Server s;
    auto kind_of = [&s](std::string_view text) { return s.kind_of(text); };
    CHECK(kind_of(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":1})") ==
          Outcome::Kind::Ok);
    CHECK(kind_of(R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":0},"id":1})") ==
          Outcome::Kind::MethodError);
    CHECK(kind_of(R"({"jsonrpc":"2.0","method":"Arith.Nope","params":{},"id":1})") == Outcome::Kind::NotFound);
    CHECK(kind_of(R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":"x"},"id":1})") ==
          Outcome::Kind::InvalidParams);
    // A batch's parts may differ: the batch as a whole is answered.
    CHECK(kind_of(R"([{"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":0},"id":1}])") ==
          Outcome::Kind::Ok);
    CHECK(kind_of(R"({"jsonrpc":"2.0","method")") == Outcome::Kind::IllFormed);
}

} // namespace unit_jsonrpc_serve
