// The byte vectors captured from Go 1.19 (NETRPC.md), byte for byte.
#include "gob_test_support.hpp"

#include "wire/gob/encoder.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_netrpc_vectors {

using namespace gobtest;
using Step = gob::RequestDecoder::Step;

namespace {

const std::string kFirstCall = bytes(
    "2f ff81 03 01 01 07 \"Request\" 01 ff82 00 01 02 01 0d \"ServiceMethod\" 01 0c 00 01 03 \"Seq\" 01 06 00 00 00"
    "13 ff82 01 0e \"Arith.Multiply\" 00"
    "1e ff83 03 01 01 04 \"Args\" 01 ff84 00 01 02 01 01 \"A\" 01 04 00 01 01 \"B\" 01 04 00 00 00"
    "07 ff84 01 0e 01 10 00");

const std::string kSecondCall = bytes("15 ff82 01 0e \"Arith.Multiply\" 01 01 00  07 ff84 01 0e 01 10 00");

const std::string kFirstReply = bytes(
    "3a ff81 03 01 01 08 \"Response\" 01 ff82 00 01 03 01 0d \"ServiceMethod\" 01 0c 00 01 03 \"Seq\" 01 06 00"
    " 01 05 \"Error\" 01 0c 00 00 00"
    "13 ff82 01 0e \"Arith.Multiply\" 00"
    "03 04 00 70");

const std::string kSecondReply = bytes("15 ff82 01 0e \"Arith.Multiply\" 01 01 00  03 04 00 70");

const std::string kUnknownMethodReply = bytes(
    "34 ff82 01 0a \"Arith.Nope\" 01 02 01 21 \"rpc: can't find method Arith.Nope\" 00"
    "0a ff83 03 01 02 ff84 00 00 00"
    "03 ff84 00");

} // namespace

TEST_CASE("gob decodes Go's first Arith.Multiply request into header and {A:7,B:8}", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    dec.feed(kFirstCall);
    REQUIRE(dec.next() == Step::Header);
    CHECK(dec.service_method() == "Arith.Multiply");
    CHECK(dec.seq() == 0);
    REQUIRE(dec.next() == Step::Body);
    auto body = dec.body_as(*args_ab());
    REQUIRE(body.ok());
    CHECK(body.value == json(R"({"A":7,"B":8})"));
    CHECK(dec.next() == Step::NeedMore);
}

TEST_CASE("gob decodes Go's second request, which reuses the types of the first", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    expect_request(dec, kFirstCall);
    dec.body_as(*args_ab());
    expect_request(dec, kSecondCall);
    CHECK(dec.service_method() == "Arith.Multiply");
    CHECK(dec.seq() == 1);
    auto body = dec.body_as(*args_ab());
    REQUIRE(body.ok());
    CHECK(body.value == json(R"({"A":7,"B":8})"));
}

TEST_CASE("gob decodes the same requests fed one byte at a time", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    std::string stream = kFirstCall + kSecondCall;
    std::vector<std::pair<std::uint64_t, boost::json::value>> seen;
    for (char c : stream) {
        dec.feed(std::string_view(&c, 1));
        for (Step s = dec.next(); s != Step::NeedMore; s = dec.next()) {
            REQUIRE(s != Step::Fatal);
            if (s == Step::Body) seen.emplace_back(dec.seq(), dec.body_as(*args_ab()).value);
        }
    }
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].first == 0);
    CHECK(seen[1].first == 1);
    CHECK(seen[1].second == json(R"({"A":7,"B":8})"));
}

TEST_CASE("gob encodes the first reply with the Response type definition exactly as Go does", "[gob]") {
    gob::ResponseEncoder enc;
    std::string out;
    auto reply = json("56");
    enc.encode(out, "Arith.Multiply", 0, "", &reply, integer().get());
    CHECK(hex(out) == hex(kFirstReply));
}

TEST_CASE("gob encodes the second reply without type definitions", "[gob]") {
    gob::ResponseEncoder enc;
    std::string first, second;
    auto reply = json("56");
    auto schema = integer();
    enc.encode(first, "Arith.Multiply", 0, "", &reply, schema.get());
    enc.encode(second, "Arith.Multiply", 1, "", &reply, schema.get());
    CHECK(hex(second) == hex(kSecondReply));
}

TEST_CASE("gob encodes an unknown-method error with Go's empty struct body", "[gob]") {
    gob::ResponseEncoder enc;
    std::string earlier, out;
    auto reply = json("56");
    auto schema = integer();
    enc.encode(earlier, "Arith.Multiply", 0, "", &reply, schema.get());
    enc.encode(earlier, "Arith.Multiply", 1, "", &reply, schema.get());
    enc.encode(out, "Arith.Nope", 2, "rpc: can't find method Arith.Nope", &reply, schema.get());
    CHECK(hex(out) == hex(kUnknownMethodReply));
}

TEST_CASE("gob sends the empty struct's type only once per connection", "[gob]") {
    gob::ResponseEncoder enc;
    std::string first, second;
    enc.encode(first, "Arith.Nope", 0, "rpc: can't find method Arith.Nope", nullptr, nullptr);
    enc.encode(second, "Arith.Nope", 1, "rpc: can't find method Arith.Nope", nullptr, nullptr);
    CHECK(first.find(bytes("0a ff83 03 01 02 ff84 00 00 00")) != std::string::npos);
    CHECK(second.find(bytes("0a ff83")) == std::string::npos);
    CHECK(hex(second.substr(second.size() - 4)) == "03 ff 84 00");
}

} // namespace unit_gob_netrpc_vectors
