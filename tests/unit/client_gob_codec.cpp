// The client's half of Go's net/rpc gob: requests byte for byte as Go's
// rpc.Client writes them, and replies read as Go's client reads them
// (vectors captured from Go 1.19, NETRPC.md).
#include "gob_test_support.hpp"

#include "wire/gob/encoder.hpp"
#include "wire/gob/received_schema.hpp"
#include "codec/gob_reply_decoder.hpp"
#include "codec/gob_request_encoder.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_client_gob_codec {

using namespace gobtest;
using ReplyStep = gob::ReplyDecoder::Step;

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

SchemaPtr quotient() { return structure("Quotient", {{"Quo", integer()}, {"Rem", integer()}}); }

} // namespace

TEST_CASE("the client's first gob call is Go's first Arith.Multiply request, byte for byte", "[client][gob]") {
    gob::RequestEncoder enc;
    std::string out;
    enc.encode(out, "Arith.Multiply", 0, json(R"({"A":7,"B":8})"), *args_ab());
    CHECK(hex(out) == hex(kFirstCall));
}

TEST_CASE("the client's second gob call sends no type definitions again", "[client][gob]") {
    gob::RequestEncoder enc;
    std::string first, second;
    enc.encode(first, "Arith.Multiply", 0, json(R"({"A":7,"B":8})"), *args_ab());
    enc.encode(second, "Arith.Multiply", 1, json(R"({"A":7,"B":8})"), *args_ab());
    CHECK(hex(second) == hex(kSecondCall));
}

TEST_CASE("the client reads Go's Arith.Multiply replies: header, then the int body 56", "[client][gob]") {
    gob::ReplyDecoder dec(1 << 20);
    dec.feed(kFirstReply + kSecondReply);
    for (std::uint64_t seq : {0u, 1u}) {
        REQUIRE(dec.next() == ReplyStep::Header);
        CHECK(dec.seq() == seq);
        CHECK(dec.service_method() == "Arith.Multiply");
        CHECK(dec.error().empty());
        REQUIRE(dec.next() == ReplyStep::Body);
        auto body = dec.body_as(*integer());
        REQUIRE(body.ok());
        CHECK(body.value == json("56"));
    }
    CHECK(dec.next() == ReplyStep::NeedMore);
}

TEST_CASE("the client reads a gob error reply and skips its empty-struct body", "[client][gob]") {
    gob::ReplyDecoder dec(1 << 20);
    dec.feed(kFirstReply + kUnknownMethodReply);
    REQUIRE(dec.next() == ReplyStep::Header);
    REQUIRE(dec.next() == ReplyStep::Body);
    dec.skip_body();
    REQUIRE(dec.next() == ReplyStep::Header);
    CHECK(dec.seq() == 2);
    CHECK(dec.error() == "rpc: can't find method Arith.Nope");
    REQUIRE(dec.next() == ReplyStep::Body);
    CHECK(dec.next() == ReplyStep::NeedMore); // the body left alone is skipped
}

TEST_CASE("the client's gob reader accepts replies split at every byte", "[client][gob]") {
    gob::ReplyDecoder dec(1 << 20);
    std::string stream = kFirstReply + kSecondReply;
    std::vector<std::int64_t> values;
    for (char c : stream) {
        dec.feed(std::string_view(&c, 1));
        for (ReplyStep s = dec.next(); s != ReplyStep::NeedMore; s = dec.next()) {
            REQUIRE(s != ReplyStep::Fatal);
            if (s == ReplyStep::Body) values.push_back(dec.body_as(*integer()).value.as_int64());
        }
    }
    CHECK(values == std::vector<std::int64_t>{56, 56});
}

TEST_CASE("a gob reply message over the client's limit breaks the stream as soon as its length is read",
          "[client][gob]") {
    gob::ReplyDecoder dec(64);
    dec.feed(bytes("fe 10 00")); // announces 4096 bytes
    CHECK(dec.next() == ReplyStep::Fatal);
    CHECK(dec.fatal_error() == "gob: reply message of 4096 bytes exceeds the limit of 64 bytes");
}

TEST_CASE("a gob reply body that does not fit the reply type is that call's error, not the stream's",
          "[client][gob]") {
    gob::ReplyDecoder dec(1 << 20);
    dec.feed(kFirstReply + kSecondReply);
    REQUIRE(dec.next() == ReplyStep::Header);
    REQUIRE(dec.next() == ReplyStep::Body);
    auto body = dec.body_as(*string());
    CHECK_FALSE(body.ok());
    CHECK(body.error == "gob: decoding into local type *string, received remote type int"); // Go decodes into &reply
    CHECK(dec.next() == ReplyStep::Header);
}

TEST_CASE("the daemon's gob replies decode in the client: structs, maps and errors round-trip", "[client][gob]") {
    gob::ResponseEncoder server;
    std::string stream;
    auto q = quotient();
    auto m = map(string(), slice(integer(32)));
    boost::json::value qv = json(R"({"Quo":2,"Rem":1})");
    boost::json::value mv = json(R"({"a":[1,-2],"b":[]})");
    server.encode(stream, "Arith.Divide", 7, "", &qv, q.get());
    server.encode(stream, "Arith.Divide", 8, "divide by zero", nullptr, q.get());
    server.encode(stream, "Maps.Get", 9, "", &mv, m.get());

    gob::ReplyDecoder dec(1 << 20);
    dec.feed(stream);
    REQUIRE(dec.next() == ReplyStep::Header);
    CHECK(dec.seq() == 7);
    REQUIRE(dec.next() == ReplyStep::Body);
    CHECK(dec.body_as(*q).value == qv);
    REQUIRE(dec.next() == ReplyStep::Header);
    CHECK(dec.seq() == 8);
    CHECK(dec.error() == "divide by zero");
    REQUIRE(dec.next() == ReplyStep::Body);
    REQUIRE(dec.next() == ReplyStep::Header);
    CHECK(dec.service_method() == "Maps.Get");
    REQUIRE(dec.next() == ReplyStep::Body);
    CHECK(dec.body_as(*m).value == mv);
}

TEST_CASE("the client's gob requests decode in the daemon with their arguments intact", "[client][gob]") {
    auto args = structure("Point", {{"X", floating()}, {"Name", string()}, {"Tags", slice(string())}});
    boost::json::value v = json(R"({"X":1.5,"Name":"p","Tags":["a","b"]})");
    gob::RequestEncoder enc;
    std::string stream;
    enc.encode(stream, "Geo.Move", 3, v, *args);
    enc.encode(stream, "Geo.Move", 4, json(R"({"X":0,"Name":"","Tags":[]})"), *args);

    gob::RequestDecoder dec(1 << 20);
    dec.feed(stream);
    REQUIRE(dec.next() == gob::RequestDecoder::Step::Header);
    CHECK(dec.seq() == 3);
    REQUIRE(dec.next() == gob::RequestDecoder::Step::Body);
    CHECK(dec.body_as(*args).value == v);
    REQUIRE(dec.next() == gob::RequestDecoder::Step::Header);
    CHECK(dec.seq() == 4);
    REQUIRE(dec.next() == gob::RequestDecoder::Step::Body);
    CHECK(dec.body_as(*args).value == json(R"({"X":0.0,"Name":"","Tags":[]})"));
}

TEST_CASE("a gob reply is read with no type of the caller's, as the server's definitions describe it",
          "[client][gob]") {
    gob::ResponseEncoder server;
    std::string stream;
    auto q = quotient();
    auto m = map(string(), slice(integer(32)));
    boost::json::value qv = json(R"({"Quo":2,"Rem":1})");
    boost::json::value mv = json(R"({"a":[1,-2],"b":[]})");
    server.encode(stream, "Arith.Divide", 7, "", &qv, q.get());
    server.encode(stream, "Maps.Get", 8, "", &mv, m.get());

    gob::ReplyDecoder go(1 << 20);
    go.feed(kFirstReply);
    REQUIRE(go.next() == ReplyStep::Header);
    REQUIRE(go.next() == ReplyStep::Body);
    CHECK(go.body_as_received().value == json("56")); // Go's own bytes (NETRPC.md)

    gob::ReplyDecoder dec(1 << 20);
    dec.feed(stream);
    REQUIRE(dec.next() == ReplyStep::Header);
    REQUIRE(dec.next() == ReplyStep::Body);
    CHECK(dec.body_as_received().value == qv); // field names and order from the wire
    REQUIRE(dec.next() == ReplyStep::Header);
    REQUIRE(dec.next() == ReplyStep::Body);
    CHECK(dec.body_as_received().value == mv);
}

TEST_CASE("a received type with no JSON form is refused with the reason, not guessed", "[client][gob]") {
    gob::TypeTable types;
    types.define(65, wire_struct("Node", {{"Name", gob::kString}, {"Next", 66}}), 0);
    types.define(66, wire_slice(65), 0);
    types.define(67, wire_struct("Box", {{"Any", gob::kInterface}}), 0);
    types.define(68, wire_map(gob::kFloat, gob::kString), 0);
    types.define(69, wire_struct("Pair", {{"L", 70}, {"R", 70}}), 0);
    types.define(70, wire_struct("Leaf", {{"V", gob::kUint}}), 0);
    CHECK(gob::received_schema(types, 65).error == "the type Node contains itself");
    CHECK(gob::received_schema(types, 67).error == "an interface value cannot be shown without its Go type");
    CHECK(gob::received_schema(types, 68).error == "a map keyed by float: JSON keys are strings or integers");
    CHECK(gob::received_schema(types, gob::kComplex).error == "complex numbers have no JSON form");
    auto pair = gob::received_schema(types, 69);
    REQUIRE(pair.schema);
    CHECK(type_name(*pair.schema) == "Pair");
    CHECK(type_name(*pair.schema->fields[1].type->fields[0].type) == "uint64");
}

} // namespace unit_client_gob_codec
