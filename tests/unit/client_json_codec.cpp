// The client's JSON-RPC codecs without sockets: requests as JSON-RPC 2.0
// lines (or HTTP POSTs), replies read in 2.0 and in Go's jsonrpc shape.
#include "codec/codec.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_client_json_codec {

namespace json = boost::json;
using plugrpc::client::wire::Codec;
using plugrpc::client::wire::Reply;
using CodecStep = Codec::Step;

namespace {

const plugrpc::client::wire::ReplyTypeOf kNoTypes = [](std::uint64_t) { return plugrpc::client::wire::ReplyType{}; };

std::string encode(Codec& c, std::uint64_t seq, std::string_view method, std::string_view params) {
    std::string out;
    REQUIRE(c.encode(out, seq, method, params.empty() ? json::value(nullptr) : json::parse(params), nullptr).empty());
    return out;
}

// Feeds `text` and reads one reply, which must come.
Reply read_one(Codec& c, std::string_view text) {
    c.feed(text);
    Reply r;
    REQUIRE(c.next(r, kNoTypes) == CodecStep::Reply);
    return r;
}

} // namespace

TEST_CASE("a JSON call is one JSON-RPC 2.0 request line with named params for a struct", "[client][json]") {
    auto c = plugrpc::client::wire::make_json_codec(1 << 20);
    CHECK(encode(*c, 7, "Arith.Multiply", R"({"A":7,"B":8})") ==
          "{\"jsonrpc\":\"2.0\",\"method\":\"Arith.Multiply\",\"params\":{\"A\":7,\"B\":8},\"id\":7}\n");
}

TEST_CASE("a JSON call with a non-struct argument sends it by position, no argument without params", "[client][json]") {
    auto c = plugrpc::client::wire::make_json_codec(1 << 20);
    CHECK(encode(*c, 1, "Echo.Int", "5").find("\"params\":[5],") != std::string::npos);
    CHECK(encode(*c, 2, "Echo.List", "[1,2]").find("\"params\":[[1,2]],") != std::string::npos);
    CHECK(encode(*c, 3, "Echo.Zero", "") == "{\"jsonrpc\":\"2.0\",\"method\":\"Echo.Zero\",\"id\":3}\n");
}

TEST_CASE("a call in Go's jsonrpc dialect sends the argument as params[0], without \"jsonrpc\"", "[client][json]") {
    auto c = plugrpc::client::wire::make_json_codec(1 << 20, true);
    CHECK(encode(*c, 4, "Arith.Multiply", R"({"A":7,"B":8})") ==
          "{\"method\":\"Arith.Multiply\",\"params\":[{\"A\":7,\"B\":8}],\"id\":4}\n");
    CHECK(encode(*c, 5, "Echo.Int", "5") == "{\"method\":\"Echo.Int\",\"params\":[5],\"id\":5}\n");
}

TEST_CASE("a JSON-RPC 2.0 result is matched to its call by id", "[client][json]") {
    auto c = plugrpc::client::wire::make_json_codec(1 << 20);
    Reply r = read_one(*c, R"({"jsonrpc":"2.0","result":{"Quo":2,"Rem":1},"id":41})" "\n");
    CHECK(r.seq == 41);
    CHECK(r.outcome == Reply::Outcome::Ok);
    CHECK(r.result == json::parse(R"({"Quo":2,"Rem":1})"));
}

TEST_CASE("a JSON-RPC 2.0 error object is a server error with its message and code", "[client][json]") {
    auto c = plugrpc::client::wire::make_json_codec(1 << 20);
    Reply r = read_one(*c, R"({"jsonrpc":"2.0","error":{"code":-32000,"message":"divide by zero"},"id":3})");
    CHECK(r.seq == 3);
    CHECK(r.outcome == Reply::Outcome::ServerError);
    CHECK(r.error == "divide by zero");
    CHECK(r.code == -32000);
}

TEST_CASE("Go's jsonrpc error strings are server errors, an empty one 'unspecified error'", "[client][json]") {
    auto c = plugrpc::client::wire::make_json_codec(1 << 20);
    Reply r = read_one(*c, R"({"id":1,"result":null,"error":"divide by zero"})");
    CHECK(r.outcome == Reply::Outcome::ServerError);
    CHECK(r.error == "divide by zero");
    r = read_one(*c, R"({"id":2,"result":null,"error":""})");
    CHECK(r.error == "unspecified error");
    r = read_one(*c, R"({"id":3,"result":56,"error":null})");
    CHECK(r.outcome == Reply::Outcome::Ok);
    CHECK(r.result == 56);
}

TEST_CASE("JSON replies arrive back to back and split anywhere", "[client][json]") {
    auto c = plugrpc::client::wire::make_json_codec(1 << 20);
    std::string stream = R"({"jsonrpc":"2.0","result":1,"id":1}{"jsonrpc":"2.0","result":"a}b","id":2})" "\n";
    std::vector<std::uint64_t> seqs;
    for (char ch : stream) {
        c->feed(std::string_view(&ch, 1));
        Reply r;
        for (CodecStep s = c->next(r, kNoTypes); s != CodecStep::NeedMore; s = c->next(r, kNoTypes)) {
            REQUIRE(s == CodecStep::Reply);
            seqs.push_back(r.seq);
        }
    }
    CHECK(seqs == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("a JSON reply over the limit, or one without an id, breaks the stream", "[client][json]") {
    auto small = plugrpc::client::wire::make_json_codec(32);
    small->feed(R"({"jsonrpc":"2.0","result":"0123456789012345678901234567890123456789","id":1})");
    Reply r;
    CHECK(small->next(r, kNoTypes) == CodecStep::Fatal);
    CHECK(small->fatal_error() == "reply longer than the limit of 32 bytes");

    auto c = plugrpc::client::wire::make_json_codec(1 << 20);
    c->feed(R"({"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error: syntax error"},"id":null})");
    CHECK(c->next(r, kNoTypes) == CodecStep::Fatal);
    CHECK(c->fatal_error() == "the server answered without an id: Parse error: syntax error");
}

TEST_CASE("an HTTP call is a POST to the rpc path with the JSON-RPC request as its body", "[client][http]") {
    auto c = plugrpc::client::wire::make_http_codec(1 << 20, "127.0.0.1:1234", "/_goRPC_");
    std::string body = "{\"jsonrpc\":\"2.0\",\"method\":\"Arith.Multiply\",\"params\":{\"A\":7,\"B\":8},\"id\":0}\n";
    CHECK(encode(*c, 0, "Arith.Multiply", R"({"A":7,"B":8})") ==
          "POST /_goRPC_ HTTP/1.1\r\nHost: 127.0.0.1:1234\r\nContent-Type: application/json\r\n"
          "Accept: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
}

TEST_CASE("pipelined HTTP responses are read in order, each body one reply", "[client][http]") {
    auto c = plugrpc::client::wire::make_http_codec(1 << 20, "h", "/_goRPC_");
    auto response = [](std::string_view body) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
    };
    c->feed(response(R"({"jsonrpc":"2.0","result":56,"id":0})") +
            response(R"({"jsonrpc":"2.0","error":{"code":-32000,"message":"divide by zero"},"id":1})"));
    Reply r;
    REQUIRE(c->next(r, kNoTypes) == CodecStep::Reply);
    CHECK(r.seq == 0);
    CHECK(r.result == 56);
    REQUIRE(c->next(r, kNoTypes) == CodecStep::Reply);
    CHECK(r.seq == 1);
    CHECK(r.error == "divide by zero");
    CHECK(c->next(r, kNoTypes) == CodecStep::NeedMore);
}

TEST_CASE("an HTTP status other than 200 breaks the connection with the status and body", "[client][http]") {
    auto c = plugrpc::client::wire::make_http_codec(1 << 20, "h", "/nope");
    c->feed("HTTP/1.1 404 Not Found\r\nContent-Length: 18\r\n\r\n404 not found: /x");
    Reply r;
    CHECK(c->next(r, kNoTypes) == CodecStep::NeedMore); // the body is one byte short
    c->feed("\n");
    CHECK(c->next(r, kNoTypes) == CodecStep::Fatal);
    CHECK(c->fatal_error() == "HTTP 404 Not Found: 404 not found: /x");
}

} // namespace unit_client_json_codec
