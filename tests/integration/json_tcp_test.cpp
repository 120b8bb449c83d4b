// JSON-RPC over a plain TCP stream (and a unix socket): JSON-RPC 2.0 and
// Go's net/rpc/jsonrpc dialect, each answered in its own shape.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <regex>

using namespace plugrpc::test;
namespace json = boost::json;

namespace {

// The V2 error object of a reply that must not have a result.
json::object v2_error(const json::value& reply) {
    CHECK(member(reply, "jsonrpc") == "2.0");
    CHECK_FALSE(has_member(reply, "result"));
    return member(reply, "error").as_object();
}

} // namespace

// ------------------------------------------------------------ JSON-RPC 2.0

TEST_CASE("JSON-RPC 2.0 Arith.Multiply over TCP replies exactly {\"jsonrpc\":\"2.0\",\"result\":56,\"id\":1}") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})") ==
          R"({"jsonrpc":"2.0","result":56,"id":1})");
}

TEST_CASE("JSON-RPC 2.0 Arith.Divide 17/8 over TCP replies the quotient {Quo:2, Rem:1}") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    json::value reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":17,"B":8},"id":2})"));
    CHECK(reply == parse_json(R"({"jsonrpc":"2.0","result":{"Quo":2,"Rem":1},"id":2})"));
}

TEST_CASE("JSON-RPC 2.0 divide by zero replies an error object with message \"divide by zero\" and no result") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    json::value reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":0},"id":3})"));
    CHECK(member(reply, "id") == 3);
    json::object error = v2_error(reply);
    CHECK(error.at("message") == "divide by zero");
    // A method's own error is a server error: -32000 to -32099.
    std::int64_t code = error.at("code").as_int64();
    CHECK(code <= -32000);
    CHECK(code >= -32099);
}

TEST_CASE("JSON-RPC 2.0 unknown method replies -32601 method not found") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    json::value reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Nope","params":{"A":1,"B":2},"id":4})"));
    CHECK(member(reply, "id") == 4);
    json::object error = v2_error(reply);
    CHECK(error.at("code") == -32601);
    CHECK(std::string(error.at("message").as_string()).find("Arith.Nope") != std::string::npos);
}

TEST_CASE("JSON-RPC 2.0 unknown service replies -32601 method not found") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    json::value reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Geometry.Area","params":{},"id":5})"));
    CHECK(member(reply, "id") == 5);
    CHECK(v2_error(reply).at("code") == -32601);
}

TEST_CASE("malformed JSON over TCP replies -32700 parse error with a null id") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    json::value reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":},"id":6})"));
    CHECK(member(reply, "id").is_null());
    CHECK(v2_error(reply).at("code") == -32700);
}

TEST_CASE("a request that is not a JSON-RPC request object replies -32600 invalid request") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    json::value reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":1,"params":"bar","id":7})"));
    CHECK(v2_error(reply).at("code") == -32600);
}

TEST_CASE("a batch with a notification replies only to the requests that have an id") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    std::string line = call_line(c, R"([
        {"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":2,"B":3},"id":1},
        {"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":4,"B":5}},
        {"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":9,"B":2},"id":"q"}
    ])");
    json::value reply = parse_json(line);
    REQUIRE(reply.is_array());
    REQUIRE(reply.as_array().size() == 2);
    std::map<std::string, json::value> by_id;
    for (const auto& r : reply.as_array()) by_id[json::serialize(member(r, "id"))] = r;
    CHECK(by_id["1"] == parse_json(R"({"jsonrpc":"2.0","result":6,"id":1})"));
    CHECK(by_id["\"q\""] == parse_json(R"({"jsonrpc":"2.0","result":{"Quo":4,"Rem":1},"id":"q"})"));
}

TEST_CASE("notifications alone get no reply at all") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    c.send_line(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":2,"B":3}})");
    c.send_line(R"([{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":2,"B":3}},)"
                R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":0}}])");
    // The next line on the stream answers the next request, not the notifications.
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":9})") ==
          R"({"jsonrpc":"2.0","result":56,"id":9})");
}

TEST_CASE("JSON-RPC 2.0 positional params map to the argument's fields in order") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[6,7],"id":10})") ==
          R"({"jsonrpc":"2.0","result":42,"id":10})");
    json::value quo = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Divide","params":[17,5],"id":11})"));
    CHECK(member(quo, "result") == parse_json(R"({"Quo":3,"Rem":2})"));
}

TEST_CASE("JSON-RPC 2.0 params of the wrong type reply -32602 naming the field") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    json::value reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":"seven","B":8},"id":12})"));
    CHECK(member(reply, "id") == 12);
    json::object error = v2_error(reply);
    CHECK(error.at("code") == -32602);
    std::string message(error.at("message").as_string());
    INFO("message: " << message);
    // Names the bad field (A) and why, not the good one (B).
    CHECK(std::regex_search(message, std::regex(R"(\bA\b)")));
    CHECK_FALSE(std::regex_search(message, std::regex(R"(\bB\b)")));
    CHECK(message.find("string") != std::string::npos);
}

TEST_CASE("JSON-RPC 2.0 string ids are echoed as sent") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":3,"B":3},"id":"abc-1"})") ==
          R"({"jsonrpc":"2.0","result":9,"id":"abc-1"})");
}

TEST_CASE("Arith multiplies 64-bit integers: (1<<40) times 3") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":1099511627776,"B":3},"id":1})") ==
          R"({"jsonrpc":"2.0","result":3298534883328,"id":1})");
}

TEST_CASE("Arith divides negative numbers as Go does: -17/5 is -3 remainder -2") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    json::value reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":-17,"B":5},"id":1})"));
    CHECK(member(reply, "result") == parse_json(R"({"Quo":-3,"Rem":-2})"));
}

TEST_CASE("a TCP connection keeps serving after errors") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(v2_error(parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":},"id":1})")))
              .at("code") == -32700);
    CHECK(v2_error(parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Nope","params":{},"id":2})")))
              .at("code") == -32601);
    CHECK(v2_error(parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":0},"id":3})")))
              .at("message") == "divide by zero");
    CHECK(v2_error(parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":true},"id":4})")))
              .at("code") == -32602);
    CHECK(call_line(c, R"({"method":"Arith.Divide","params":[{"A":1,"B":0}],"id":5})") ==
          R"({"id":5,"result":null,"error":"divide by zero"})");
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":6})") ==
          R"({"jsonrpc":"2.0","result":56,"id":6})");
}

TEST_CASE("several requests in one write are all answered") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    std::string burst;
    for (int i = 1; i <= 50; ++i)
        burst += R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":)" + std::to_string(i) +
                 R"(,"B":2},"id":)" + std::to_string(i) + "}\n";
    c.send(burst);
    std::map<std::int64_t, std::int64_t> results;
    for (int i = 1; i <= 50; ++i) {
        json::value r = parse_json(c.recv_line());
        results[member(r, "id").as_int64()] = member(r, "result").as_int64();
    }
    REQUIRE(results.size() == 50);
    for (const auto& [id, product] : results) CHECK(product == id * 2);
}

// ------------------------------------------------------------ Go's jsonrpc

TEST_CASE("Go's jsonrpc shape: Arith.Divide 17/8 replies {\"id\":0,\"result\":{\"Quo\":2,\"Rem\":1},\"error\":null}") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"method":"Arith.Divide","params":[{"A":17,"B":8}],"id":0})") ==
          R"({"id":0,"result":{"Quo":2,"Rem":1},"error":null})");
}

TEST_CASE("Go's jsonrpc shape: two requests back to back with no separator get two Go-shaped replies") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    c.send(R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":0})"
           R"({"method":"Arith.Divide","params":[{"A":17,"B":8}],"id":1})");
    std::map<std::string, std::string> by_id;
    for (int i = 0; i < 2; ++i) {
        std::string line = c.recv_line();
        by_id[json::serialize(member(parse_json(line), "id"))] = line;
    }
    CHECK(by_id["0"] == R"({"id":0,"result":56,"error":null})");
    CHECK(by_id["1"] == R"({"id":1,"result":{"Quo":2,"Rem":1},"error":null})");
}

TEST_CASE("Go's jsonrpc shape: a method's error replies \"result\":null and the error text") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"method":"Arith.Divide","params":[{"A":17,"B":0}],"id":7})") ==
          R"({"id":7,"result":null,"error":"divide by zero"})");
}

TEST_CASE("Go's jsonrpc shape: unknown methods and services get Go's own error texts") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"method":"Arith.Nope","params":[{}],"id":1})") ==
          R"({"id":1,"result":null,"error":"rpc: can't find method Arith.Nope"})");
    CHECK(call_line(c, R"({"method":"Nope.Multiply","params":[{}],"id":2})") ==
          R"({"id":2,"result":null,"error":"rpc: can't find service Nope.Multiply"})");
    CHECK(call_line(c, R"({"method":"Multiply","params":[{}],"id":3})") ==
          R"({"id":3,"result":null,"error":"rpc: service/method request ill-formed: Multiply"})");
}

TEST_CASE("Go's jsonrpc shape: missing params are refused as Go's server does") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"method":"Arith.Multiply","id":4})") ==
          R"({"id":4,"result":null,"error":"jsonrpc: request body missing params"})");
}

// ------------------------------------------------------------ what cannot be read

namespace {

DaemonOptions small_limits() {
    DaemonOptions o;
    o.extra_config = "[limits]\nmax_message_bytes = 4096\nmax_json_depth = 8\n";
    return o;
}

// A Go-shaped error reply for what could not be read: id null, result null,
// the error a string (what Go's jsonrpc client can read).
std::string go_error(const json::value& reply) {
    CHECK_FALSE(has_member(reply, "jsonrpc"));
    CHECK(member(reply, "id").is_null());
    CHECK(member(reply, "result").is_null());
    REQUIRE(member(reply, "error").is_string());
    return std::string(member(reply, "error").as_string());
}

const std::string kGoCall = R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":0})";
const std::string kGoReply = R"({"id":0,"result":56,"error":null})";
const std::string kV2Call = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})";
const std::string kV2Reply = R"({"jsonrpc":"2.0","result":56,"id":1})";

} // namespace

TEST_CASE("mismatched brackets over TCP are a -32700 parse error, then the connection closes, and later requests are not swallowed") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    // A ']' left out: the first '}' closes '['. Counting depth alone, the
    // request stays open and takes every later one into it, answering nothing.
    c.send(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":[7,"B":8},"id":1})" "\n" + kV2Call + "\n");
    json::value reply = parse_json(c.recv_line());
    CHECK(member(reply, "id").is_null());
    json::object error = v2_error(reply);
    CHECK(error.at("code") == -32700);
    CHECK(std::string(error.at("message").as_string()).find("bracket") != std::string::npos);
    CHECK(c.closed_by_peer());
    // The daemon serves on. Brackets that balance in number but not in kind
    // are refused alike, at once.
    Connection next = Connection::tcp(d.port());
    CHECK(call_line(next, kV2Call) == kV2Reply);
    json::value balanced = parse_json(call_line(next, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[7,8},"id":2])"));
    CHECK(member(balanced, "id").is_null());
    CHECK(v2_error(balanced).at("code") == -32700);
    CHECK(next.closed_by_peer());
}

TEST_CASE("mismatched brackets after a Go jsonrpc request are answered in Go's shape, then the connection closes") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, kGoCall) == kGoReply);
    c.send(R"({"method":"Arith.Multiply","params":[{"A":[7,"B":8}],"id":1})" "\n" + kGoCall + "\n");
    CHECK_THAT(go_error(parse_json(c.recv_line())), Catch::StartsWith("Parse error: "));
    CHECK(c.closed_by_peer());
}

TEST_CASE("malformed JSON on a Go jsonrpc connection is answered in Go's shape, and the connection serves on") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, kGoCall) == kGoReply);
    CHECK_THAT(go_error(parse_json(call_line(c, R"({"method":"Arith.Multiply","params":[{"A":7,"B":}],"id":1})"))),
               Catch::StartsWith("Parse error: "));
    CHECK(call_line(c, kGoCall) == kGoReply);
}

TEST_CASE("a connection's dialect is its first readable request's: a later 2.0 request does not change it") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, kGoCall) == kGoReply);
    CHECK(call_line(c, kV2Call) == kV2Reply); // each request in its own dialect
    go_error(parse_json(call_line(c, "{\"method\":}")));
}

TEST_CASE("malformed JSON on a JSON-RPC 2.0 connection stays a 2.0 error object") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, kV2Call) == kV2Reply);
    CHECK(v2_error(parse_json(call_line(c, R"({"method":"Arith.Multiply","params":[{"A":7,"B":}],"id":1})")))
              .at("code") == -32700);
    CHECK(call_line(c, kV2Call) == kV2Reply);
}

TEST_CASE("a message over max_message_bytes on a Go jsonrpc connection is answered in Go's shape with its id, and the connection goes on") {
    Daemon d(small_limits());
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, kGoCall) == kGoReply);
    // Go's client writes the id last: the daemon reads it on the way by.
    c.send(R"({"method":"Echo.String","params":[")" + std::string(8192, 'x') + "\"],\"id\":1}\n");
    CHECK(c.recv_line() ==
          R"({"id":1,"result":null,"error":"Invalid Request: message of 8237 bytes exceeds the server's limit of 4096 bytes"})");
    CHECK(call_line(c, kGoCall) == kGoReply);
}

TEST_CASE("a message nested deeper than max_json_depth on a Go jsonrpc connection is answered in Go's shape, then closed") {
    Daemon d(small_limits());
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, kGoCall) == kGoReply);
    c.send(R"({"method":"Arith.Multiply","params":[)" + std::string(20, '[') + "\n");
    CHECK(go_error(parse_json(c.recv_line())) == "Invalid Request: nested deeper than 8 levels");
    CHECK(c.closed_by_peer());
}

TEST_CASE("a Go jsonrpc client's first request over max_message_bytes is answered in Go's shape") {
    // No request read yet: the dialect is that of the bytes, which begin as
    // Go's client writes every request.
    Daemon d(small_limits());
    Connection c = Connection::tcp(d.port());
    c.send(R"({"method":"Echo.String","params":[")" + std::string(8192, 'x') + "\"],\"id\":0}\n");
    CHECK(c.recv_line() ==
          R"({"id":0,"result":null,"error":"Invalid Request: message of 8237 bytes exceeds the server's limit of 4096 bytes"})");
    CHECK(call_line(c, kGoCall) == kGoReply);
}

TEST_CASE("over max_message_bytes and max_json_depth a JSON-RPC 2.0 connection gets 2.0 error objects") {
    Daemon d(small_limits());
    {
        Connection c = Connection::tcp(d.port());
        CHECK(call_line(c, kV2Call) == kV2Reply);
        c.send(R"({"method":"Echo.String","params":[")" + std::string(8192, 'x') + "\"],\"id\":1}\n");
        json::value reply = parse_json(c.recv_line());
        CHECK(member(reply, "id") == 1);
        CHECK(v2_error(reply).at("code") == -32600);
        CHECK(call_line(c, kV2Call) == kV2Reply); // the connection goes on
    }
    {
        // The id before the params, a string; a batch over the limit has
        // no id; the value arrives in pieces, each short of the limit.
        Connection c = Connection::tcp(d.port());
        std::string big = R"({"jsonrpc":"2.0","id":"big-1","method":"Arith.Multiply","params":{"A":1,"B":2,"C":")" +
                          std::string(100000, 'y') + R"("}})";
        for (std::size_t i = 0; i < big.size(); i += 3000) c.send(big.substr(i, 3000));
        CHECK(c.recv_line() ==
              R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request: message of 100086 bytes exceeds the server's limit of 4096 bytes"},"id":"big-1"})");
        std::string batch = "[";
        for (int i = 0; i < 100; ++i) batch += std::string(i ? "," : "") + kV2Call;
        c.send(batch + "]");
        json::value reply = parse_json(c.recv_line());
        CHECK(member(reply, "id").is_null());
        CHECK(v2_error(reply).at("code") == -32600);
        CHECK(call_line(c, kV2Call) == kV2Reply);
    }
    {
        Connection c = Connection::tcp(d.port()); // nothing read yet, and not Go's bytes
        c.send(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":)" + std::string(20, '[') + "\n");
        CHECK(v2_error(parse_json(c.recv_line())).at("code") == -32600);
        CHECK(c.closed_by_peer());
    }
}

TEST_CASE("a UTF-8 byte order mark before JSON on a TCP stream is skipped, first and between values") {
    Daemon d;
    const std::string bom = "\xEF\xBB\xBF";
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, bom + kV2Call) == kV2Reply);
    CHECK(call_line(c, bom + kGoCall) == kGoReply);
    Connection go = Connection::tcp(d.port());
    CHECK(call_line(go, bom + kGoCall) == kGoReply);
}

// ------------------------------------------------------------ unix socket

TEST_CASE("a unix socket listener serves JSON-RPC too") {
    DaemonOptions o;
    o.listen = {"tcp://127.0.0.1:0", "unix://{dir}/s.sock"};
    Daemon d(o);
    CHECK(d.listening().at(1) == "unix://" + (d.dir() / "s.sock").string());
    Connection c = Connection::unix_socket(d.dir() / "s.sock");
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})") ==
          R"({"jsonrpc":"2.0","result":56,"id":1})");
    CHECK(call_line(c, R"({"method":"Arith.Divide","params":[{"A":17,"B":8}],"id":0})") ==
          R"({"id":0,"result":{"Quo":2,"Rem":1},"error":null})");
}

// ------------------------------------------------------------ numbers and ids, exactly

TEST_CASE("JSON ids are echoed as written in both dialects, big integers, -0, 1.50 and 1e3 included") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    for (std::string id : {"123456789012345678901234567890", "-0", "1.50", "1e3"}) {
        INFO(id);
        CHECK(call_line(c, R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":)" + id + "}") ==
              R"({"id":)" + id + R"(,"result":56,"error":null})");
        CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[7,8],"id":)" + id + "}") ==
              R"({"jsonrpc":"2.0","result":56,"id":)" + id + "}");
    }
}

TEST_CASE("JSON integer params: Go's dialect takes integer literals only, JSON-RPC 2.0 exact integers, neither rounds") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    auto v2 = [&](const std::string& a) {
        return call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":)" + a + R"(,"B":1},"id":1})");
    };
    auto go = [&](const std::string& a) {
        return call_line(c, R"({"method":"Arith.Multiply","params":[{"A":)" + a + R"(,"B":1}],"id":2})");
    };
    for (std::string a : {"2.5", "1e-300", "-1e-400", "1.00000000000000001", "123456789012345678901234567890"}) {
        INFO(a);
        CHECK_THAT(v2(a), Catch::StartsWith(R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: field A: expected an integer (int64))"));
        CHECK_THAT(go(a), Catch::StartsWith(R"({"id":2,"result":null,"error":"field A: expected an integer (int64))"));
    }
    // Go's encoding/json reads the text with strconv.ParseInt: only -0 of these.
    for (std::string a : {"-0.0", "100.0", "1e2", "9.007199254740993e15"}) {
        INFO(a);
        CHECK(go(a) == R"({"id":2,"result":null,"error":"field A: expected an integer (int64), got )" + a + R"("})");
    }
    CHECK(go("-0") == R"({"id":2,"result":0,"error":null})");
    // JSON-RPC 2.0 has no integer type: the exact value counts, read from the digits.
    CHECK(v2("-0") == R"({"jsonrpc":"2.0","result":0,"id":1})");
    CHECK(v2("-0.0") == R"({"jsonrpc":"2.0","result":0,"id":1})");
    CHECK(v2("100.0") == R"({"jsonrpc":"2.0","result":100,"id":1})");
    CHECK(v2("1e2") == R"({"jsonrpc":"2.0","result":100,"id":1})");
    CHECK(v2("9.007199254740993e15") == R"({"jsonrpc":"2.0","result":9007199254740993,"id":1})");
    // Go's dialect takes no struct from an array; JSON-RPC 2.0 by position does.
    CHECK(call_line(c, R"({"method":"Arith.Multiply","params":[[7,8]],"id":3})") ==
          R"({"id":3,"result":null,"error":"params: expected an object Args, got an array"})");
}

// rpc.discover's document may be megabytes (10,000 methods): a batch gets it
// once, and the other rpc.discover requests in it an error, so one request
// cannot make the daemon build and send it a thousand times.
TEST_CASE("a JSON-RPC 2.0 batch gets the rpc.discover document once and errors for the other rpc.discover requests") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    std::string batch = "[";
    for (int i = 1; i <= 50; ++i)
        batch += (i > 1 ? "," : "") + std::string(R"({"jsonrpc":"2.0","method":"rpc.discover","id":)") + std::to_string(i) + "}";
    batch += R"(,{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":51}])";
    c.send_line(batch);
    boost::json::value reply = parse_json(c.recv_line(10s));
    REQUIRE(reply.is_array());
    REQUIRE(reply.as_array().size() == 51);
    int documents = 0, refused = 0;
    for (const auto& r : reply.as_array()) {
        const auto& o = r.as_object();
        if (o.at("id") == 51) CHECK(o.at("result") == 56);
        else if (o.contains("result")) documents += o.at("result").as_object().contains("methods") ? 1 : 0;
        else if (o.at("error").at("code") == -32001) ++refused;
    }
    CHECK(documents == 1);
    CHECK(refused == 49);
}
