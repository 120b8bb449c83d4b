// The skipper of JSON values over the size limit: where the value ends,
// and its top-level id, from bytes fed in any pieces.
#include "wire/jsonrpc/value_skipper.hpp"

#include <catch2/catch.hpp>

#include <string>

// Each file in its own namespace: unity builds compile several together.
namespace unit_jsonrpc_value_skipper {

using plugrpc::jsonrpc::ValueSkipper;
using Status = ValueSkipper::Status;

namespace {

struct Fed {
    Status status;
    std::size_t used; // bytes of the whole input that were the value's
    std::string id;
};

// Feed `text` in pieces of `piece` bytes until the skipper stops.
Fed feed(std::string_view text, std::size_t piece, unsigned max_depth = 64, bool go = false) {
    ValueSkipper s(max_depth);
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t used = 0;
        Status st = s.feed(text.substr(at, piece), used);
        at += used;
        if (st != Status::NeedMore) return {st, at, std::string(s.id(go))};
    }
    return {Status::NeedMore, at, std::string(s.id(go))};
}

} // namespace

TEST_CASE("the skipper finds the value's end and its id wherever the pieces break", "[jsonrpc]") {
    const std::string v = R"({"jsonrpc":"2.0","method":"A.B","params":{"s":"a}\"]{[","id":"inner"},"id": 123456789012345678901234567890 })";
    for (std::size_t piece : {1, 2, 3, 7, 64, 4096}) {
        Fed f = feed(v + R"({"next":1})", piece);
        INFO("piece " << piece);
        CHECK(f.status == Status::Done);
        CHECK(f.used == v.size());
        CHECK(f.id == "123456789012345678901234567890"); // the top-level one, exactly as written
    }
}

TEST_CASE("the skipper keeps string, negative and null ids, and no other kind", "[jsonrpc]") {
    CHECK(feed(R"({"id":"a\"b","params":[1,2]})", 5).id == R"("a\"b")");
    CHECK(feed(R"({"params":[1,2],"id":-1.5e3})", 5).id == "-1.5e3");
    CHECK(feed(R"({"id":null})", 5).id == "null");
    CHECK(feed(R"({"id":{"a":1}})", 5).id.empty());
    CHECK(feed(R"({"id":[1]})", 5).id.empty());
    CHECK(feed(R"({"id":true})", 5).id.empty());
    CHECK(feed(R"({"idx":1,"xid":2})", 5).id.empty());
    CHECK(feed(R"([{"id":1}])", 5).id.empty()); // a batch has no id of its own
    CHECK(feed(R"({"id":")" + std::string(300, 'z') + R"("})", 64).id.empty()); // too long to keep
}

TEST_CASE("the skipper keeps the last id, and for Go's dialect reads names and kinds as Go's server does",
          "[jsonrpc]") {
    CHECK(feed(R"({"id":1,"params":[],"id":2})", 3).id == "2");
    // JSON-RPC 2.0: "id" exactly, scalars only.
    CHECK(feed(R"({"ID":1,"params":[]})", 3).id.empty());
    // Go: any case, any kind, the last.
    CHECK(feed(R"({"ID":1,"params":[]})", 3, 64, true).id == "1");
    CHECK(feed(R"({"id":1,"Id":[1, {"a":2}] })", 3, 64, true).id == R"([1, {"a":2}])");
    CHECK(feed(R"({"id":1,"Id":true})", 3, 64, true).id == "true");
    CHECK(feed(R"({"id":1,"Id":true})", 3).id == "1");
    CHECK(feed(R"({"iD":null})", 3, 64, true).id == "null");
    CHECK(feed(R"({"idd":1,"i":2,"Jd":3})", 3, 64, true).id.empty());
}

TEST_CASE("the skipper refuses mismatched brackets, too deep a value, and what is not a value", "[jsonrpc]") {
    CHECK(feed(R"({"a":[1}})", 3).status == Status::Mismatched);
    CHECK(feed(std::string(10, '[') + std::string(10, ']'), 3, 8).status == Status::TooDeep);
    CHECK(feed(std::string(8, '[') + std::string(8, ']'), 3, 8).status == Status::Done);
    CHECK(feed("x{}", 3).status == Status::Garbage);
    CHECK(feed(R"({"a":"unfinished)", 3).status == Status::NeedMore);
}

} // namespace unit_jsonrpc_value_skipper
