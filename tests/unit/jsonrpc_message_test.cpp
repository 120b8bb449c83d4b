// JSON-RPC messages: decoding requests of both dialects and encoding replies
// byte for byte.
#include "server/jsonrpc/message.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_jsonrpc_message {

namespace json = boost::json;
using namespace plugrpc::jsonrpc;
using plugrpc::Outcome;
using plugrpc::ParamsShape;

namespace {

const DecodeLimits kLimits{};

// A request's method and params point into its message: every message
// decoded here is kept to the end of the run.
Request one(std::string_view text) {
    static std::vector<std::unique_ptr<Message>> kept;
    kept.push_back(std::make_unique<Message>(decode(text, kLimits)));
    Message& m = *kept.back();
    REQUIRE(m.error_code == 0);
    REQUIRE_FALSE(m.batch);
    REQUIRE(m.requests.size() == 1);
    return m.requests[0];
}

Outcome ok(std::string_view result) {
    Outcome o;
    o.result = json::parse(result);
    return o;
}

Outcome failed(Outcome::Kind kind, std::string text) {
    Outcome o;
    o.kind = kind;
    o.error = std::move(text);
    return o;
}

std::string reply(const Request& req, const Outcome& o) {
    std::string out;
    encode_reply(out, req, o);
    return out;
}

std::string error_reply(Dialect d, const json::value& id, int code, std::string_view text) {
    std::string out;
    encode_error(out, d, id, code, text);
    return out;
}

} // namespace

// ---- Go's net/rpc/jsonrpc ------------------------------------------------------

TEST_CASE("go dialect: a request without \"jsonrpc\" is Go's, its argument is params[0]", "[jsonrpc]") {
    Request r = one(R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":0})");
    CHECK(r.dialect == Dialect::Go);
    CHECK_FALSE(r.notification);
    CHECK(r.error_code == 0);
    CHECK(r.method == "Arith.Multiply");
    CHECK(json::serialize(r.id) == "0");
    CHECK(json::serialize(*r.params) == R"({"A":7,"B":8})");
    CHECK(r.shape == ParamsShape::GoValue); // read as Go's encoding/json: no struct from an array
}

TEST_CASE("go dialect: extra elements of params are ignored, as Go's server does", "[jsonrpc]") {
    Request r = one(R"({"method":"Arith.Multiply","params":[{"A":1},2,3],"id":1})");
    CHECK(r.error_code == 0);
    CHECK(json::serialize(*r.params) == R"({"A":1})");
}

TEST_CASE("go dialect: empty params array is the zero argument (null)", "[jsonrpc]") {
    Request r = one(R"({"method":"Arith.Multiply","params":[],"id":1})");
    CHECK(r.error_code == 0);
    CHECK(r.params->is_null());
}

TEST_CASE("go dialect: missing or null params is Go's 'request body missing params'", "[jsonrpc]") {
    for (std::string_view text : {R"({"method":"Arith.Multiply","id":5})", R"({"method":"Arith.Multiply","params":null,"id":5})"}) {
        INFO(text);
        Request r = one(text);
        CHECK(r.dialect == Dialect::Go);
        CHECK(r.error_code == InvalidParams);
        CHECK(r.error == "jsonrpc: request body missing params");
        CHECK(error_reply(r.dialect, r.id, r.error_code, r.error) ==
              R"({"id":5,"result":null,"error":"jsonrpc: request body missing params"})");
    }
}

TEST_CASE("go dialect: a request without a method has Go's empty name (its lookup answers ill-formed)",
          "[jsonrpc]") {
    Request r = one(R"({"params":[1],"id":3})");
    CHECK(r.dialect == Dialect::Go);
    CHECK(r.error_code == 0);
    CHECK(r.method.empty());
}

TEST_CASE("go dialect: a method that is not a string is refused in Go's shape", "[jsonrpc]") {
    Request r = one(R"({"method":7,"params":[1],"id":3})");
    CHECK(r.dialect == Dialect::Go);
    CHECK(r.error_code == InvalidRequest);
    CHECK(r.error == "jsonrpc: request has no method");
    CHECK(error_reply(r.dialect, r.id, r.error_code, r.error) ==
          R"({"id":3,"result":null,"error":"jsonrpc: request has no method"})");
}

TEST_CASE("go dialect: a request without an id is answered with id null", "[jsonrpc]") {
    Request r = one(R"({"method":"Arith.Multiply","params":[{"A":2,"B":3}]})");
    CHECK(r.dialect == Dialect::Go);
    CHECK_FALSE(r.notification); // Go has no notifications
    CHECK(reply(r, ok("6")) == R"({"id":null,"result":6,"error":null})");
}

TEST_CASE("go dialect: success reply is {id, result, error:null} byte for byte", "[jsonrpc]") {
    Request r = one(R"({"method":"Arith.Divide","params":[{"A":17,"B":8}],"id":0})");
    CHECK(reply(r, ok(R"({"Quo":2,"Rem":1})")) == R"({"id":0,"result":{"Quo":2,"Rem":1},"error":null})");
}

TEST_CASE("go dialect: error reply is {id, result:null, error:text} byte for byte", "[jsonrpc]") {
    Request r = one(R"({"method":"Arith.Divide","params":[{"A":1,"B":0}],"id":7})");
    CHECK(reply(r, failed(Outcome::Kind::MethodError, "divide by zero")) ==
          R"({"id":7,"result":null,"error":"divide by zero"})");
}

TEST_CASE("go dialect: lookup errors carry Go's text verbatim, without JSON-RPC 2.0 prefixes", "[jsonrpc]") {
    Request r = one(R"({"method":"Arith.Nope","params":[{}],"id":2})");
    CHECK(reply(r, failed(Outcome::Kind::NotFound, "rpc: can't find method Arith.Nope")) ==
          R"({"id":2,"result":null,"error":"rpc: can't find method Arith.Nope"})");
    CHECK(reply(r, failed(Outcome::Kind::InvalidParams, "field A: expected an integer (int64), got a string")) ==
          R"({"id":2,"result":null,"error":"field A: expected an integer (int64), got a string"})");
}

TEST_CASE("go dialect: the id is echoed exactly as received", "[jsonrpc]") {
    CHECK(reply(one(R"({"method":"S.M","params":[1],"id":18446744073709551615})"), ok("1")) ==
          R"({"id":18446744073709551615,"result":1,"error":null})");
    CHECK(reply(one(R"({"method":"S.M","params":[1],"id":"abc"})"), ok("1")) ==
          R"({"id":"abc","result":1,"error":null})");
}

TEST_CASE("go dialect: error text with quotes and control characters is escaped", "[jsonrpc]") {
    Request r = one(R"({"method":"S.M","params":[1],"id":1})");
    CHECK(reply(r, failed(Outcome::Kind::MethodError, "bad \"x\"\n\\")) ==
          R"({"id":1,"result":null,"error":"bad \"x\"\n\\"})");
}

// ---- JSON-RPC 2.0 --------------------------------------------------------------

TEST_CASE("json-rpc 2.0: named params are the argument itself", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})");
    CHECK(r.dialect == Dialect::V2);
    CHECK_FALSE(r.notification);
    CHECK(r.error_code == 0);
    CHECK(r.method == "Arith.Multiply");
    CHECK(json::serialize(*r.params) == R"({"A":7,"B":8})");
    CHECK(r.shape == ParamsShape::Value);
}

TEST_CASE("json-rpc 2.0: positional params are kept whole and marked positional", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[7,8],"id":1})");
    CHECK(r.error_code == 0);
    CHECK(json::serialize(*r.params) == "[7,8]");
    CHECK(r.shape == ParamsShape::Positional);
}

TEST_CASE("json-rpc 2.0: params may be left out", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"2.0","method":"Svc.Ping","id":1})");
    CHECK(r.error_code == 0);
    CHECK(r.params->is_null());
    CHECK(r.shape == ParamsShape::Value);
}

TEST_CASE("json-rpc 2.0: a request without id is a notification, with id null it is not", "[jsonrpc]") {
    CHECK(one(R"({"jsonrpc":"2.0","method":"S.M","params":[1]})").notification);
    Request with_null = one(R"({"jsonrpc":"2.0","method":"S.M","params":[1],"id":null})");
    CHECK_FALSE(with_null.notification);
    CHECK(reply(with_null, ok("1")) == R"({"jsonrpc":"2.0","result":1,"id":null})");
}

TEST_CASE("json-rpc 2.0: a \"jsonrpc\" member other than \"2.0\" is an invalid request", "[jsonrpc]") {
    for (std::string_view text : {R"({"jsonrpc":"1.0","method":"S.M","id":4})", R"({"jsonrpc":2.0,"method":"S.M","id":4})",
                                  R"({"jsonrpc":null,"method":"S.M","id":4})"}) {
        INFO(text);
        Request r = one(text);
        CHECK(r.dialect == Dialect::V2);
        CHECK(r.error_code == InvalidRequest);
        CHECK(r.error == R"(Invalid Request: "jsonrpc" must be "2.0")");
        CHECK(error_reply(r.dialect, r.id, r.error_code, r.error) ==
              R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request: \"jsonrpc\" must be \"2.0\""},"id":4})");
    }
}

TEST_CASE("json-rpc 2.0: a method that is not a string is an invalid request", "[jsonrpc]") {
    for (std::string_view text : {R"({"jsonrpc":"2.0","method":1,"params":"bar","id":9})",
                                  R"({"jsonrpc":"2.0","params":[],"id":9})"}) {
        INFO(text);
        Request r = one(text);
        CHECK(r.error_code == InvalidRequest);
        CHECK(r.error == R"(Invalid Request: "method" must be a string)");
        CHECK(json::serialize(r.id) == "9");
    }
}

TEST_CASE("json-rpc 2.0: an invalid notification is still answered, with id null", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"2.0","method":1})");
    CHECK(r.error_code == InvalidRequest);
    CHECK_FALSE(r.notification);
    CHECK(error_reply(r.dialect, r.id, r.error_code, r.error) ==
          R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request: \"method\" must be a string"},"id":null})");
}

TEST_CASE("json-rpc 2.0: an id that is not a string, number or null is refused and answered with id null", "[jsonrpc]") {
    for (std::string_view text : {R"({"jsonrpc":"2.0","method":"S.M","id":{"a":1}})", R"({"jsonrpc":"2.0","method":"S.M","id":[1]})",
                                  R"({"jsonrpc":"2.0","method":"S.M","id":true})"}) {
        INFO(text);
        Request r = one(text);
        CHECK(r.error_code == InvalidRequest);
        CHECK(r.error == "Invalid Request: id must be a string, number or null");
        CHECK(r.id.is_null());
    }
}

TEST_CASE("json-rpc 2.0: params that are neither array nor object are an invalid request", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"2.0","method":"S.M","params":"bar","id":1})");
    CHECK(r.error_code == InvalidRequest);
    CHECK(r.error == R"(Invalid Request: "params" must be an array or an object)");
}

TEST_CASE("json-rpc 2.0: a batch decodes every element, in order", "[jsonrpc]") {
    Message m = decode(R"([{"jsonrpc":"2.0","method":"A.X","params":[1],"id":1},
                           {"jsonrpc":"2.0","method":"A.Y","params":{"k":2}},
                           {"jsonrpc":"2.0","method":"A.Z","id":"z"}])",
                       kLimits);
    REQUIRE(m.error_code == 0);
    CHECK(m.batch);
    REQUIRE(m.requests.size() == 3);
    CHECK(m.requests[0].method == "A.X");
    CHECK(m.requests[0].shape == ParamsShape::Positional);
    CHECK(m.requests[1].method == "A.Y");
    CHECK(m.requests[1].notification);
    CHECK(m.requests[2].method == "A.Z");
    CHECK(json::serialize(m.requests[2].id) == R"("z")");
}

TEST_CASE("json-rpc 2.0: every element of a batch is answered in 2.0 form", "[jsonrpc]") {
    Message m = decode(R"([{"method":"A.X","params":[1],"id":1}])", kLimits);
    REQUIRE(m.requests.size() == 1);
    CHECK(m.requests[0].dialect == Dialect::V2);
    CHECK(reply(m.requests[0], ok("2")) == R"({"jsonrpc":"2.0","result":2,"id":1})");
}

TEST_CASE("json-rpc 2.0: batch elements that are not objects are invalid requests", "[jsonrpc]") {
    Message m = decode("[1,2]", kLimits);
    REQUIRE(m.requests.size() == 2);
    for (const auto& r : m.requests) {
        CHECK(r.error_code == InvalidRequest);
        CHECK(r.error == "Invalid Request: expected an object");
        CHECK(r.id.is_null());
    }
}

TEST_CASE("json-rpc 2.0: an empty batch is one invalid request error", "[jsonrpc]") {
    Message m = decode("[]", kLimits);
    CHECK(m.error_code == InvalidRequest);
    CHECK(m.error == "Invalid Request: empty batch");
    CHECK(m.requests.empty());
}

TEST_CASE("json-rpc 2.0: a batch over the limit is refused whole, naming both sizes", "[jsonrpc]") {
    DecodeLimits limits;
    limits.max_batch = 2;
    std::string two = R"([{"jsonrpc":"2.0","method":"A.B","id":1},{"jsonrpc":"2.0","method":"A.B","id":2}])";
    CHECK(decode(two, limits).error_code == 0);
    Message m = decode(R"([{"jsonrpc":"2.0","method":"A.B","id":1},{"jsonrpc":"2.0","method":"A.B","id":2},)"
                       R"({"jsonrpc":"2.0","method":"A.B","id":3}])",
                       limits);
    CHECK(m.error_code == InvalidRequest);
    CHECK(m.error == "Invalid Request: batch of 3 calls is over the limit of 2");
    CHECK(m.requests.empty());
}

TEST_CASE("json-rpc 2.0: malformed JSON is a parse error -32700 answered with id null", "[jsonrpc]") {
    Message m = decode(R"({"jsonrpc":"2.0","method":"foobar,"params":"bar","baz])", kLimits);
    CHECK(m.error_code == ParseError);
    CHECK_THAT(m.error, Catch::StartsWith("Parse error: "));
    CHECK(m.error.size() > std::string("Parse error: ").size());
    CHECK(m.requests.empty());
    CHECK(error_reply(Dialect::V2, nullptr, m.error_code, "Parse error: x") ==
          R"({"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error: x"},"id":null})");
}

TEST_CASE("json-rpc 2.0: nesting over the depth limit is a parse error", "[jsonrpc]") {
    DecodeLimits limits;
    limits.max_depth = 4;
    CHECK(decode(R"({"jsonrpc":"2.0","method":"A.B","params":[[1]],"id":1})", limits).error_code == 0);
    CHECK(decode(R"({"jsonrpc":"2.0","method":"A.B","params":[[[[1]]]],"id":1})", limits).error_code == ParseError);
}

TEST_CASE("json-rpc 2.0: a value that is neither object nor array is an invalid request", "[jsonrpc]") {
    Request r = one("42");
    CHECK(r.error_code == InvalidRequest);
    CHECK(r.error == "Invalid Request: expected an object");
}

TEST_CASE("json-rpc 2.0: success reply is {jsonrpc, result, id} byte for byte", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})");
    CHECK(reply(r, ok("56")) == R"({"jsonrpc":"2.0","result":56,"id":1})");
    Request s = one(R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":17,"B":8},"id":"x"})");
    CHECK(reply(s, ok(R"({"Quo":2,"Rem":1})")) == R"({"jsonrpc":"2.0","result":{"Quo":2,"Rem":1},"id":"x"})");
}

TEST_CASE("json-rpc 2.0: outcome kinds map to error codes", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"2.0","method":"Arith.Nope","params":{},"id":1})");
    CHECK(reply(r, failed(Outcome::Kind::NotFound, "rpc: can't find method Arith.Nope")) ==
          R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: rpc: can't find method Arith.Nope"},"id":1})");
    CHECK(reply(r, failed(Outcome::Kind::IllFormed, "rpc: service/method request ill-formed: Nope")) ==
          R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: rpc: service/method request ill-formed: Nope"},"id":1})");
    CHECK(reply(r, failed(Outcome::Kind::InvalidParams, "field A: expected an integer (int64), got a string")) ==
          R"({"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: field A: expected an integer (int64), got a string"},"id":1})");
    CHECK(reply(r, failed(Outcome::Kind::Internal, "Arith.Nope: the method returned without answering")) ==
          R"({"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error: Arith.Nope: the method returned without answering"},"id":1})");
    CHECK(reply(r, failed(Outcome::Kind::MethodError, "divide by zero")) ==
          R"({"jsonrpc":"2.0","error":{"code":-32000,"message":"divide by zero"},"id":1})");
    CHECK(reply(r, failed(Outcome::Kind::Busy, "too many calls in flight")) ==
          R"({"jsonrpc":"2.0","error":{"code":-32001,"message":"too many calls in flight"},"id":1})");
}

TEST_CASE("json-rpc 2.0: an error reply has no result member", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":0},"id":3})");
    json::value v = json::parse(reply(r, failed(Outcome::Kind::MethodError, "divide by zero")));
    CHECK_FALSE(v.as_object().contains("result"));
    CHECK(v.at("error").at("message") == "divide by zero");
}

// ---- ids echoed as written ------------------------------------------------------
// Go's server keeps the id as json.RawMessage and writes it back compacted:
// observed from Go 1.19, {"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1.50}
// is answered {"id":1.50,"result":56,"error":null}.

TEST_CASE("ids: a number id is echoed as its exact text in both dialects", "[jsonrpc]") {
    for (std::string_view id : {"123456789012345678901234567890", "-0", "1.50", "1e3", "-1E+03", "0.1", "18446744073709551616",
                                "9.007199254740993e15", "-9223372036854775809", "7"}) {
        INFO(id);
        std::string go = R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":)" + std::string(id) + "}";
        CHECK(reply(one(go), ok("56")) == R"({"id":)" + std::string(id) + R"(,"result":56,"error":null})");
        std::string v2 = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[7,8],"id":)" + std::string(id) + "}";
        CHECK(reply(one(v2), ok("56")) == R"({"jsonrpc":"2.0","result":56,"id":)" + std::string(id) + "}");
        Request failed_call = one(v2);
        CHECK(reply(failed_call, failed(Outcome::Kind::MethodError, "no")) ==
              R"({"jsonrpc":"2.0","error":{"code":-32000,"message":"no"},"id":)" + std::string(id) + "}");
    }
}

TEST_CASE("ids: a string id keeps its escapes, and spaces between tokens go, as Go's json.Compact", "[jsonrpc]") {
    CHECK(reply(one(R"({"jsonrpc":"2.0","method":"A.B","id":"a\u0041\/ b"})"), ok("1")) ==
          R"({"jsonrpc":"2.0","result":1,"id":"a\u0041\/ b"})");
    // Go's dialect takes any value as an id.
    CHECK(reply(one(R"({"method":"A.B","params":[1],"id": [ 1.0 , {"k" : " x "} ] })"), ok("1")) ==
          R"({"id":[1.0,{"k":" x "}],"result":1,"error":null})");
    // A member spelt with an escape is the id too.
    CHECK(reply(one(R"({"method":"A.B","params":[1],"\u0069d":1.0})"), ok("1")) == R"({"id":1.0,"result":1,"error":null})");
}

TEST_CASE("ids: a repeated id member echoes the one the parse kept", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"2.0","method":"A.B","id":1.0,"id":2.50})");
    CHECK(r.id_text == "2.50");
    CHECK(r.id == json::value(2.5));
}

TEST_CASE("ids: an invalid request keeps its id as written, a refused id is null", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"1.0","method":"S.M","id":4.00})");
    CHECK(r.error_code == InvalidRequest);
    CHECK(r.id_text == "4.00");
    Request bad = one(R"({"jsonrpc":"2.0","method":"S.M","id":[1.0]})");
    CHECK(bad.error_code == InvalidRequest);
    CHECK(bad.id_text == "null");
}

TEST_CASE("ids: each element of a batch echoes its own id as written", "[jsonrpc]") {
    Message m = decode(R"( [ {"jsonrpc":"2.0","method":"A.X","params":[1,[2,3]],"id":1e0} , 5,
                           {"jsonrpc":"2.0","method":"A.Y","params":{"id":3}},{"id":"q\"]}","jsonrpc":"2.0","method":"A.Z"},
                           {"jsonrpc":"2.0","method":"A.W","id":-0.0}])",
                       kLimits);
    REQUIRE(m.requests.size() == 5);
    CHECK(m.requests[0].id_text == "1e0");
    CHECK(m.requests[1].id_text == "null");
    CHECK(m.requests[2].id_text == "null");
    CHECK(m.requests[2].notification);
    CHECK(m.requests[3].id_text == R"("q\"]}")");
    CHECK(m.requests[4].id_text == "-0.0");
}

TEST_CASE("go dialect: member names match whatever their case, the last one winning, as Go's encoding/json",
          "[jsonrpc]") {
    Request r = one(R"({"Method":"Arith.Multiply","Params":[{"A":7,"B":8}],"ID":2})");
    CHECK(r.dialect == Dialect::Go);
    CHECK(r.error_code == 0);
    CHECK(r.method == "Arith.Multiply");
    CHECK(json::serialize(*r.params) == R"({"A":7,"B":8})");
    CHECK(r.id_text == "2");
    // 'ſ' (U+017F) folds to s, as in Go.
    r = one("{\"method\":\"Arith.Multiply\",\"param\xC5\xBF\":[{\"A\":1}],\"id\":3}");
    CHECK(r.error_code == 0);
    CHECK(json::serialize(*r.params) == R"({"A":1})");
    // Each later member overwrites the one before.
    r = one(R"({"method":"Arith.Multiply","Method":"Arith.Divide","params":[{}],"id":5,"Id":6})");
    CHECK(r.method == "Arith.Divide");
    CHECK(r.id_text == "6");
    r = one(R"({"method":"A.B","params":[{}],"id":7,"Id":null})");
    CHECK(r.id_text == "null");
    // Escaped names are names too.
    r = one(R"({"me\u0074hod":"A.B","params":[{}],"I\u0044":8})");
    CHECK(r.method == "A.B");
    CHECK(r.id_text == "8");
    // Near misses are other members: no method, Go's empty name.
    r = one(R"({"methods":"A.B","metho":"C.D","params":[{}],"id":9})");
    CHECK(r.error_code == 0);
    CHECK(r.method.empty());
}

TEST_CASE("json-rpc 2.0: member names are matched as written", "[jsonrpc]") {
    Request r = one(R"({"jsonrpc":"2.0","Method":"Arith.Multiply","params":[7,8],"id":1})");
    CHECK(r.dialect == Dialect::V2);
    CHECK(r.error_code == InvalidRequest);
}

TEST_CASE("go dialect: params that are not an array are refused with Go's own text", "[jsonrpc]") {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"method":"A.B","params":{"A":7},"id":1})", "object"},
        {R"({"method":"A.B","params":"x","id":1})", "string"},
        {R"({"method":"A.B","params":7,"id":1})", "number"},
        {R"({"method":"A.B","params":true,"id":1})", "bool"},
    };
    for (const auto& [text, kind] : cases) {
        INFO(text);
        Request r = one(text);
        CHECK(r.error_code == InvalidParams);
        CHECK(r.error == std::string("json: cannot unmarshal ") + kind + " into Go value of type [1]interface {}");
    }
}

TEST_CASE("go dialect: a missing or null method is Go's empty name, and params errors wait for the name's lookup",
          "[jsonrpc]") {
    Request r = one(R"({"method":null,"params":[{}],"id":1})");
    CHECK(r.error_code == 0);
    CHECK(r.method.empty());
    r = one(R"({"id":2})");
    CHECK(r.method.empty());
    CHECK(r.error_code == InvalidParams);
    CHECK(r.body_error);
    r = one(R"({"method":"Nope.X","params":{"A":1},"id":3})");
    CHECK(r.method == "Nope.X");
    CHECK(r.body_error);
    // A name that is not a string is the header's own error.
    r = one(R"({"method":5,"params":[{}],"id":4})");
    CHECK(r.error_code == InvalidRequest);
    CHECK_FALSE(r.body_error);
}

} // namespace unit_jsonrpc_message
