// The short way through a usual request (wire/jsonrpc/envelope): what it
// accepts it builds as the very value the full parse gives; the rest it
// declines, for the full parse to judge.
#include "wire/jsonrpc/envelope.hpp"
#include "server/jsonrpc/message.hpp"

#include <plugrpc/json_parse.hpp>

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_jsonrpc_envelope {

namespace json = boost::json;
using plugrpc::jsonrpc::read_envelope;

namespace {

bool accepted(const std::string& text, unsigned max_depth = 64) {
    json::value v;
    plugrpc::jsonrpc::Envelope found;
    return read_envelope(text, max_depth, {}, v, found);
}

std::string describe(const plugrpc::jsonrpc::Message& m) {
    std::string s = "batch=" + std::to_string(m.batch) + " error=" + std::to_string(m.error_code) + ":" + m.error;
    for (const auto& r : m.requests) {
        s += "\n dialect=" + std::to_string(static_cast<int>(r.dialect)) + " notification=" +
             std::to_string(r.notification) + " id=" + json::serialize(r.id) + " method=" + std::string(r.method) +
             " params=" + json::serialize(*r.params) + " shape=" + std::to_string(static_cast<int>(r.shape)) +
             " error=" + std::to_string(r.error_code) + ":" + r.error;
    }
    return s;
}

// decode (the short way when it can) and decode_whole give the same message.
void same_as_full_parse(const std::string& text, unsigned max_depth = 64) {
    plugrpc::jsonrpc::DecodeLimits limits;
    limits.max_depth = max_depth;
    INFO(text);
    CHECK(describe(plugrpc::jsonrpc::decode(text, limits)) == describe(plugrpc::jsonrpc::decode_whole(text, limits)));
}

} // namespace

TEST_CASE("envelope: the usual requests of both dialects are read the short way, as the full parse reads them",
          "[jsonrpc]") {
    for (std::string text : {
             R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})",
             R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":0})",
             R"( { "id" : "abc" , "params" : [ 1 , "x" , null ] , "method" : "S.M" , "jsonrpc" : "2.0" } )",
             R"({"jsonrpc":"2.0","method":"S.M"})",
             R"({"jsonrpc":"2.0","method":"S.M","id":null})",
             R"({"jsonrpc":"2.0","method":"S.M","params":{"s":"a\"}],\\","n":[[],{}]},"id":-9223372036854775808})",
             R"({"jsonrpc":"1.0","method":"S.M","id":9223372036854775807})",
         }) {
        INFO(text);
        CHECK(accepted(text));
        same_as_full_parse(text);
    }
}

TEST_CASE("envelope: what it cannot read exactly is left to the full parse", "[jsonrpc]") {
    for (std::string text : {
             R"([{"jsonrpc":"2.0","method":"S.M","id":1}])",           // a batch
             R"({"jsonrpc":"2.0","method":"S.M","id":1,"extra":true})", // another member
             R"({"jsonrpc":"2.0","method":"S\u002eM","id":1})",         // an escape
             R"({"method":5,"params":[],"id":"x"})",                   // a method that is no string
             R"({"jsonrpc":"2.0","method":"S.M","id":1.5})",            // a float id
             R"({"jsonrpc":"2.0","method":"S.M","id":-0})",             // -0
             R"({"jsonrpc":"2.0","method":"S.M","id":01})",             // a leading zero
             R"({"jsonrpc":"2.0","method":"S.M","id":18446744073709551615})", // past int64
             R"({"jsonrpc":"2.0","method":"S.M","id":1,"id":2})",       // a member twice
             R"({"jsonrpc":"2.0","method":"S.M","params":[1,],"id":1})", // bad params
             R"({"jsonrpc":"2.0","method":"S.M","params":[1]})" " x",    // bytes after it
             R"({"jsonrpc":"2.0","method":"S.M")",                      // cut short
             "{}",
             "",
         }) {
        INFO(text);
        CHECK_FALSE(accepted(text));
    }
}

TEST_CASE("envelope: params deeper than the full parse allows are declined", "[jsonrpc]") {
    std::string nested = R"({"method":"S.M","params":[[[1]]],"id":1})"; // depth 4 in all
    CHECK(accepted(nested, 4));
    same_as_full_parse(nested, 4);
    CHECK_FALSE(accepted(nested, 3));
}

TEST_CASE("envelope: every one-byte change of usual requests is declined or read as the full parse reads it",
          "[jsonrpc]") {
    const std::string replacements = "\"{}[],:0-19.eE\\ xtn\x01\xc3";
    for (std::string seed : {
             std::string(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":-8},"id":12})"),
             std::string(R"({"method":"A.B","params":[{"s":"q\"}"}],"id":"i"})"),
             std::string(R"({"jsonrpc":"2.0","params":[[1,[2]],{}],"method":"M.N","id":null})"),
             // strings longer than the 16-byte blocks the scan reads
             std::string(R"({"jsonrpc":"2.0","method":"A_Service_With_A_Long_Name.And_A_Long_Method","id":"an-id-of-twenty-bytes"})"),
         }) {
        same_as_full_parse(seed);
        for (std::size_t i = 0; i < seed.size(); ++i) {
            same_as_full_parse(seed.substr(0, i) + seed.substr(i + 1));
            same_as_full_parse(seed.substr(0, i + 1) + seed.substr(i));
            for (char c : replacements) same_as_full_parse(seed.substr(0, i) + c + seed.substr(i + 1));
        }
    }
}

TEST_CASE("envelope: decode gives the same requests either way", "[jsonrpc]") {
    using namespace plugrpc::jsonrpc;
    std::string text = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":3})";
    Message m = decode(text, DecodeLimits{});
    REQUIRE(m.requests.size() == 1);
    const Request& r = m.requests[0];
    CHECK(r.dialect == Dialect::V2);
    CHECK_FALSE(r.notification);
    CHECK(r.method == "Arith.Multiply");
    CHECK(json::serialize(*r.params) == R"({"A":7,"B":8})");
    CHECK(r.id == json::value(3));
    CHECK(r.error_code == 0);
}

namespace {

// Takes the params whose text is `accept`; records what it was asked.
struct RecordingReader final : plugrpc::jsonrpc::ArgsReader {
    std::string accept;
    std::vector<std::string> asked;
    bool read(std::string_view method, bool v2, std::string_view params) override {
        asked.push_back(std::string(method) + (v2 ? " v2 " : " go ") + std::string(params));
        return params == accept;
    }
};

} // namespace

TEST_CASE("envelope: params are offered to the reader once the rest is read, and not built when it takes them",
          "[jsonrpc]") {
    using namespace plugrpc::jsonrpc;
    RecordingReader reader;
    reader.accept = R"({"A":7,"B":8})";
    std::string text = R"({"jsonrpc":"2.0","params":{"A":7,"B":8},"method":"Arith.Multiply","id":3})";
    Message m = decode(text, DecodeLimits{}, {}, &reader);
    CHECK(reader.asked == std::vector<std::string>{R"(Arith.Multiply v2 {"A":7,"B":8})"});
    REQUIRE(m.requests.size() == 1);
    const Request& r = m.requests[0];
    CHECK(r.args_read);
    CHECK(r.params->is_null());
    CHECK(r.method == "Arith.Multiply");
    CHECK(r.id == json::value(3));

    // Declined: parsed as ever.
    reader.asked.clear();
    std::string go = R"({"method":"Arith.Multiply","params":[{"A":1}],"id":4})";
    m = decode(go, DecodeLimits{}, {}, &reader);
    CHECK(reader.asked == std::vector<std::string>{R"(Arith.Multiply go [{"A":1}])"});
    REQUIRE(m.requests.size() == 1);
    CHECK_FALSE(m.requests[0].args_read);
    CHECK(json::serialize(*m.requests[0].params) == R"({"A":1})");
    same_as_full_parse(go);
}

TEST_CASE("envelope: the reader is not asked without a method, past the depth, or for a message read whole",
          "[jsonrpc]") {
    using namespace plugrpc::jsonrpc;
    RecordingReader reader;
    for (std::string text : {
             std::string(R"({"jsonrpc":"2.0","params":{},"id":1})"),              // no method
             std::string(R"({"jsonrpc":"2.0","method":"S.M","params":{}} x)"),    // bad JSON after params
             std::string(R"({"jsonrpc":"2.0","method":"S.M","params":{},"x":1})"), // another member
             std::string(R"([{"jsonrpc":"2.0","method":"S.M","params":{}}])"),    // a batch
         }) {
        INFO(text);
        decode(text, DecodeLimits{}, {}, &reader);
        CHECK(reader.asked.empty());
    }
    DecodeLimits shallow;
    shallow.max_depth = 2;
    Message m = decode(R"({"jsonrpc":"2.0","method":"S.M","params":{}})", shallow, {}, &reader);
    CHECK(reader.asked.empty());
    REQUIRE(m.requests.size() == 1);
    CHECK(m.requests[0].params->is_object());
}

} // namespace unit_jsonrpc_envelope
