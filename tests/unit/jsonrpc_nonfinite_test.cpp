// Numbers JSON cannot carry back (found by tests/fuzz json_stream): an id
// such as 1e400 parses as infinity, and a result may hold infinity or NaN
// (from a gob client or a plugin). Every reply must still be valid JSON.
#include "server/jsonrpc/message.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

#include <cmath>
#include <limits>

// Each file in its own namespace: unity builds compile several together.
namespace unit_jsonrpc_nonfinite {

namespace json = boost::json;
using namespace plugrpc::jsonrpc;
using plugrpc::Outcome;

namespace {

std::string reply_with(std::string_view request, double result) {
    Message m = decode(request, DecodeLimits{});
    REQUIRE(m.requests.size() == 1);
    Outcome o;
    o.result = json::array{1.5, json::object{{"F", result}}};
    std::string out;
    encode_reply(out, m.requests[0], o);
    return out;
}

} // namespace

// As Go's server, which keeps the id as json.RawMessage: written back as it
// came (spaces between tokens removed), never as Infinity or null.
std::string echoed_id(std::string_view text) {
    Message m = decode(text, DecodeLimits{});
    REQUIRE(m.requests.size() == 1);
    const Request& r = m.requests[0];
    CHECK(r.error_code == 0);
    return r.id_text;
}

TEST_CASE("jsonrpc: an id beyond a double's range is echoed as written, as Go's server does", "[jsonrpc]") {
    CHECK(echoed_id(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[1,2],"id":1e400})") == "1e400");
    CHECK(echoed_id(R"({"method":"Arith.Multiply","params":[{"A":1,"B":2}],"id":-1e400})") == "-1e400");
    // Go's dialect takes any value as an id, echoed as it came.
    CHECK(echoed_id(R"({"method":"Arith.Multiply","params":[{"A":1,"B":2}],"id":[[15, -0.0, 1e400]]})") ==
          "[[15,-0.0,1e400]]");
    CHECK(echoed_id(R"({"method":"A.B","params":[{}],"id":{"a":[1e999]}})") == R"({"a":[1e999]})");
}

TEST_CASE("jsonrpc: a large but finite id is echoed", "[jsonrpc]") {
    Message m = decode(R"({"jsonrpc":"2.0","method":"A.B","id":1180591620717411303424})", DecodeLimits{});
    REQUIRE(m.requests.size() == 1);
    CHECK(m.requests[0].error_code == 0);
    CHECK(m.requests[0].id.is_double());
}

TEST_CASE("jsonrpc: a result holding infinity or NaN is answered with Go's error, as valid JSON", "[jsonrpc]") {
    const double inf = std::numeric_limits<double>::infinity();
    std::string v2 = reply_with(R"({"jsonrpc":"2.0","method":"A.B","id":7})", inf);
    CHECK(v2 == R"({"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error: json: unsupported value: +Inf"},"id":7})");
    std::string go = reply_with(R"({"method":"A.B","params":[0],"id":8})", -inf);
    CHECK(go == R"({"id":8,"result":null,"error":"json: unsupported value: -Inf"})");
    std::string nan = reply_with(R"({"jsonrpc":"2.0","method":"A.B","id":9})", std::nan(""));
    CHECK(nan.find("unsupported value: NaN") != std::string::npos);
    for (const auto& text : {v2, go, nan}) {
        boost::system::error_code ec;
        json::parse(text, ec);
        CHECK_FALSE(ec);
    }
}

} // namespace unit_jsonrpc_nonfinite
