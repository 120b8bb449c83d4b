// Hostile gob streams: each ends in Fatal (the connection closes) or in an
// error for that call; none crashes, hangs, recurses without bound or
// allocates for sizes it has not received.
#include "gob_test_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_hostile {

using namespace gobtest;
using Step = gob::RequestDecoder::Step;

namespace {

// Feeds `stream` and runs next() until it needs more or fails; returns the
// last step and the bodies' errors (decoded for `schema`).
struct Outcome {
    Step last = Step::NeedMore;
    std::vector<std::string> body_errors;
    std::string fatal;
};

Outcome run(const std::string& stream, const Schema& schema, std::size_t limit = 1 << 20) {
    gob::RequestDecoder dec(limit);
    dec.feed(stream);
    Outcome o;
    for (int i = 0; i < 100000; ++i) {
        o.last = dec.next();
        if (o.last == Step::Body) o.body_errors.push_back(dec.body_as(schema).error);
        if (o.last == Step::NeedMore || o.last == Step::Fatal) break;
    }
    o.fatal = dec.fatal_error();
    return o;
}

// `Args{A int; <extra> <id>}` with id 66, then a value setting A and extra.
std::string call_with_extra(const std::string& defs, gob::TypeId extra, const std::string& extra_value) {
    return request_header("Svc.M", 0) + defs +
           type_definition(66, wire_struct("Args", {{"A", gob::kInt}, {"Extra", extra}})) +
           struct_value(66, {{0, enc_int(1)}, {1, extra_value}});
}

// n levels of a slice whose elements are that slice again: 1, 1, ..., 0.
std::string nested_slices(int levels) { return std::string(static_cast<std::size_t>(levels), '\x01') + '\0'; }

} // namespace

TEST_CASE("gob closes the connection on a length prefix of 2^62 without waiting for its bytes", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    dec.feed(bytes("f8 40 00 00 00 00 00 00 00"));
    CHECK(dec.buffered() == 0);
    CHECK(dec.next() == Step::Fatal);
    CHECK(dec.fatal_error() == "gob: message of 4611686018427387904 bytes exceeds the limit of 1048576 bytes");
}

TEST_CASE("gob closes the connection on a message longer than the configured limit", "[gob]") {
    gob::RequestDecoder dec(1024);
    dec.feed(bytes("fe 04 01"));
    CHECK(dec.next() == Step::Fatal);
    CHECK(dec.fatal_error() == "gob: message of 1025 bytes exceeds the limit of 1024 bytes");
    dec.feed(std::string(5000, 'x'));
    CHECK(dec.buffered() == 0);
    CHECK(dec.next() == Step::Fatal);
}

TEST_CASE("gob closes the connection on a length that announces more than eight bytes", "[gob]") {
    CHECK(run(bytes("f7 00"), *args_ab()).fatal == "gob: invalid message length");
    CHECK(run(bytes("80"), *args_ab()).fatal == "gob: invalid message length");
}

TEST_CASE("gob closes the connection on an empty message", "[gob]") {
    CHECK(run(bytes("00"), *args_ab()).fatal == "gob: empty message");
}

TEST_CASE("gob waits on a truncated stream without error", "[gob]") {
    std::string whole = request_header("Svc.M", 0);
    for (std::size_t n = 0; n < whole.size(); ++n) {
        gob::RequestDecoder dec(1 << 20);
        dec.feed(whole.substr(0, n));
        CHECK(dec.next() == Step::NeedMore);
        CHECK(dec.fatal_error().empty());
    }
}

TEST_CASE("gob closes the connection on a header of an unknown type id", "[gob]") {
    auto o = run(message(enc_int(70) + std::string(1, '\0')), *args_ab());
    CHECK(o.last == Step::Fatal);
    CHECK(o.fatal == "rpc: server cannot decode request: gob: unknown type id or corrupted data");
}

TEST_CASE("gob closes the connection on a header that is not a Request", "[gob]") {
    std::string p = enc_int(gob::kInt) + std::string(1, '\0') + enc_int(5);
    CHECK(run(message(p), *args_ab()).fatal ==
          "rpc: server cannot decode request: gob: type mismatch in decoder: want struct type Request; got non-struct");
}

TEST_CASE("gob answers a body of an unknown type id with an error for that call only", "[gob]") {
    std::string stream = request_header("Svc.M", 0) + message(enc_int(99) + std::string(1, '\0')) +
                         request_header("Svc.M", 1, false) +
                         type_definition(66, wire_struct("Args", {{"A", gob::kInt}})) + struct_value(66, {});
    auto o = run(stream, *args_ab());
    CHECK(o.last == Step::NeedMore);
    REQUIRE(o.body_errors.size() == 2);
    CHECK(o.body_errors[0] == "gob: unknown type id or corrupted data");
    CHECK(o.body_errors[1] == "");
}

TEST_CASE("gob closes the connection on a duplicate or reserved type id", "[gob]") {
    gob::WireType args = wire_struct("Args", {{"A", gob::kInt}});
    auto twice = run(request_header("Svc.M", 0) + type_definition(66, args) + type_definition(66, args), *args_ab());
    CHECK(twice.fatal == "gob: duplicate type received");
    auto reserved = run(type_definition(20, args), *args_ab());
    CHECK(reserved.fatal == "gob: duplicate type received");
    std::string huge_id = enc_int(-(std::int64_t(1) << 40));
    gob::write_wire_type(huge_id, args);
    auto huge = run(message(huge_id), *args_ab());
    CHECK(huge.fatal == "gob: duplicate type received");
}

TEST_CASE("gob closes the connection on a type definition that describes nothing or carries extra bytes", "[gob]") {
    CHECK(run(message(enc_int(-66) + std::string(1, '\0')), *args_ab()).fatal ==
          "gob: bad type definition: it describes no type");
    std::string def = enc_int(-66);
    gob::write_wire_type(def, wire_struct("Args", {{"A", gob::kInt}}));
    CHECK(run(message(def + "xyz"), *args_ab()).fatal == "gob: extra data in buffer");
    CHECK(run(message(enc_int(-66) + bytes("09")), *args_ab()).fatal == "gob: bad data: field numbers out of bounds");
}

TEST_CASE("gob closes the connection when a client defines types without end", "[gob]") {
    std::string stream;
    for (gob::TypeId id = 65; id < 65 + static_cast<gob::TypeId>(gob::TypeTable::kMaxTypes) + 1; ++id)
        stream += type_definition(id, wire_slice(gob::kInt));
    CHECK(run(stream, *args_ab()).fatal == "gob: too many type definitions on one connection");

    std::string big;
    for (gob::TypeId id = 65; id < 80; ++id) big += type_definition(id, wire_struct(std::string(100000, 'N'), {}));
    CHECK(run(big, *args_ab(), 4 << 20).fatal == "gob: type definitions exceed 1 MiB on one connection");
}

TEST_CASE("gob refuses a slice count larger than the bytes that follow, before building anything", "[gob]") {
    auto schema = structure("Args", {{"A", integer()}, {"L", slice(integer())}});
    std::string stream = request_header("Svc.M", 0) + type_definition(67, wire_slice(gob::kInt)) +
                         type_definition(66, wire_struct("Args", {{"A", gob::kInt}, {"L", 67}})) +
                         struct_value(66, {{1, enc_uint(1ull << 60) + enc_int(1)}});
    auto start = std::chrono::steady_clock::now();
    auto o = run(stream, *schema);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    REQUIRE(o.body_errors.size() == 1);
    CHECK(o.body_errors[0] == "gob: decoding int64 array or slice: length exceeds input size (1152921504606846976 elements)");
}

TEST_CASE("gob refuses huge slice and map counts in fields it skips", "[gob]") {
    std::string slice_defs = type_definition(67, wire_slice(gob::kInt));
    auto s = run(call_with_extra(slice_defs, 67, enc_uint(1ull << 60) + enc_int(1)), *args_ab());
    REQUIRE(s.body_errors.size() == 1);
    CHECK(s.body_errors[0] == "gob: decoding array or slice: length exceeds input size (1152921504606846976 elements)");

    std::string map_defs = type_definition(67, wire_map(gob::kInt, gob::kInt));
    auto m = run(call_with_extra(map_defs, 67, enc_uint(~0ull) + enc_int(1) + enc_int(1)), *args_ab());
    REQUIRE(m.body_errors.size() == 1);
    CHECK(m.body_errors[0] == "unexpected EOF"); // pair by pair, as Go skips maps
}

TEST_CASE("gob refuses a huge map count for a map the method wants", "[gob]") {
    auto schema = structure("Args", {{"A", integer()}, {"Extra", map(integer(), integer())}});
    std::string defs = type_definition(67, wire_map(gob::kInt, gob::kInt));
    auto o = run(call_with_extra(defs, 67, enc_uint(1ull << 40) + enc_int(1) + enc_int(1)), *schema);
    REQUIRE(o.body_errors.size() == 1);
    CHECK(o.body_errors[0] == "gob: decoding map: length exceeds input size (1099511627776 elements)");
}

TEST_CASE("gob skips values of a type that contains itself, as deep as they go within bounds", "[gob]") {
    std::string defs = type_definition(67, wire_slice(67));
    auto o = run(call_with_extra(defs, 67, nested_slices(3)), *args_ab());
    REQUIRE(o.body_errors.size() == 1);
    CHECK(o.body_errors[0] == "");
}

TEST_CASE("gob refuses a value nested 10,000 deep without exhausting the stack", "[gob]") {
    std::string defs = type_definition(67, wire_slice(67));
    auto o = run(call_with_extra(defs, 67, nested_slices(10000)), *args_ab());
    REQUIRE(o.body_errors.size() == 1);
    CHECK(o.body_errors[0] == "gob: value nested deeper than 64 levels");

    // Mutually recursive types: a slice of maps of that slice.
    std::string cycle = type_definition(67, wire_slice(68)) + type_definition(68, wire_map(gob::kString, 67));
    std::string deep;
    for (int i = 0; i < 5000; ++i) deep += enc_uint(1) + enc_uint(1) + enc_string("k");
    auto c = run(call_with_extra(cycle, 67, deep), *args_ab());
    REQUIRE(c.body_errors.size() == 1);
    CHECK(c.body_errors[0] == "gob: value nested deeper than 64 levels");
}

TEST_CASE("gob closes the connection on a header nested 10,000 deep", "[gob]") {
    std::string stream = type_definition(66, wire_slice(66)) +
                         type_definition(65, wire_struct("Request", {{"ServiceMethod", gob::kString},
                                                                     {"Seq", gob::kUint}, {"Deep", 66}})) +
                         struct_value(65, {{0, enc_string("Svc.M")}, {2, nested_slices(10000)}});
    auto o = run(stream, *args_ab());
    CHECK(o.fatal == "rpc: server cannot decode request: gob: value nested deeper than 64 levels");
}

TEST_CASE("gob matches a wire type that contains itself against a schema without looping", "[gob]") {
    auto schema = structure("Args", {{"A", integer()}, {"Extra", slice(slice(slice(integer())))}});
    auto o = run(call_with_extra(type_definition(67, wire_slice(67)), 67, nested_slices(2)), *schema);
    REQUIRE(o.body_errors.size() == 1);
    CHECK(o.body_errors[0] == "gob: wrong type ([][][]int64) for received field Args.Extra");
}

TEST_CASE("gob decodes a recursive Go type (a linked list) as deep as the schema goes", "[gob]") {
    auto level2 = structure("Node", {{"Val", integer()}});
    auto schema = structure("Node", {{"Val", integer()}, {"Next", level2}});
    std::string third = enc_uint(1) + enc_int(3) + std::string(1, '\0');
    std::string second = enc_uint(1) + enc_int(2) + enc_uint(1) + third + std::string(1, '\0');
    std::string stream = request_header("Svc.M", 0) +
                         type_definition(66, wire_struct("Node", {{"Val", gob::kInt}, {"Next", 66}})) +
                         struct_value(66, {{0, enc_int(1)}, {1, second}});
    auto r = decode_request(stream, *schema);
    REQUIRE(r.ok());
    CHECK(r.value == json(R"({"Val":1,"Next":{"Val":2}})"));
}

TEST_CASE("gob refuses garbage field deltas and field numbers out of range", "[gob]") {
    gob::WireType args = wire_struct("Args", {{"A", gob::kInt}, {"B", gob::kInt}});
    std::string prefix = request_header("Svc.M", 0) + type_definition(66, args);
    auto negative = run(prefix + message(enc_int(66) + enc_uint(~0ull) + enc_int(1)), *args_ab());
    REQUIRE(negative.body_errors.size() == 1);
    CHECK(negative.body_errors[0] == "gob: decode: corrupted data: negative delta");
    auto past = run(prefix + message(enc_int(66) + enc_uint(3) + enc_int(1)), *args_ab());
    REQUIRE(past.body_errors.size() == 1);
    CHECK(past.body_errors[0] == "gob: bad data: field numbers out of bounds");
    auto wrapping = run(prefix + message(enc_int(66) + enc_uint(2) + enc_int(1) + enc_uint(~0ull >> 1) + enc_int(1)),
                        *args_ab());
    REQUIRE(wrapping.body_errors.size() == 1);
    CHECK(wrapping.body_errors[0] == "gob: bad data: field numbers out of bounds");
}

TEST_CASE("gob refuses a string longer than its message", "[gob]") {
    auto schema = structure("Args", {{"S", string()}});
    std::string stream = request_header("Svc.M", 0) + type_definition(66, wire_struct("Args", {{"S", gob::kString}})) +
                         message(enc_int(66) + enc_uint(1) + enc_uint(100) + "abc");
    auto o = run(stream, *schema);
    REQUIRE(o.body_errors.size() == 1);
    CHECK(o.body_errors[0] == "gob: bad string slice length 100: exceeds input size 3");
}

TEST_CASE("gob refuses a value whose interface type definitions span more than 64 messages", "[gob]") {
    // Extra is an interface; its concrete type comes with 65 definitions,
    // each in a message of its own.
    std::string first = enc_int(66) + enc_uint(2) + enc_string("T") + enc_int(-67);
    gob::write_wire_type(first, wire_slice(gob::kInt));
    std::string stream = request_header("Svc.M", 0) +
                         type_definition(66, wire_struct("Args", {{"A", gob::kInt}, {"Extra", gob::kInterface}})) +
                         message(first);
    for (gob::TypeId id = 68; id < 68 + 65; ++id) stream += type_definition(id, wire_slice(gob::kInt));
    stream += message(enc_int(67) + enc_uint(2) + std::string(1, '\0') + enc_uint(0) + std::string(1, '\0'));
    auto o = run(stream, *args_ab());
    CHECK(o.fatal == "gob: a value spans more than 64 messages");
}

TEST_CASE("gob closes the connection on a duplicate type defined inside an interface value", "[gob]") {
    std::string first = enc_int(66) + enc_uint(2) + enc_string("T") + enc_int(-66);
    gob::write_wire_type(first, wire_slice(gob::kInt));
    std::string stream = request_header("Svc.M", 0) +
                         type_definition(66, wire_struct("Args", {{"A", gob::kInt}, {"Extra", gob::kInterface}})) +
                         message(first) + message(enc_int(66) + enc_uint(1) + std::string(1, '\0'));
    CHECK(run(stream, *args_ab()).fatal == "gob: duplicate type received");
}

TEST_CASE("gob bounds a value over several messages by the message limit", "[gob]") {
    std::string first = enc_int(66) + enc_uint(2) + enc_string("T") + enc_int(-67);
    gob::write_wire_type(first, wire_slice(gob::kString));
    std::string stream = request_header("Svc.M", 0) +
                         type_definition(66, wire_struct("Args", {{"A", gob::kInt}, {"Extra", gob::kInterface}})) +
                         message(first) + message(enc_int(67) + enc_uint(700) + enc_uint(1) + enc_string(std::string(985, 'x')));
    CHECK(run(stream, *args_ab(), 1000).fatal == "gob: value longer than the limit of 1000 bytes");
}

TEST_CASE("gob survives random and mutated streams without crashing or hanging", "[gob]") {
    auto point = structure("Point", {{"X", integer(8)}, {"Y", floating(32)}});
    auto schema = structure("Args", {{"A", integer()}, {"P", point}, {"L", slice(point)},
                                     {"M", map(string(), slice(unsigned_(8)))}, {"T", array(2, string())}});
    std::string good = request_header("Svc.M", 0) +
                       type_definition(67, wire_struct("Point", {{"X", gob::kInt}, {"Y", gob::kFloat}})) +
                       type_definition(68, wire_slice(67)) + type_definition(69, wire_map(gob::kString, gob::kBytes)) +
                       type_definition(70, wire_array(gob::kString, 2)) +
                       type_definition(66, wire_struct("Args", {{"A", gob::kInt}, {"P", 67}, {"L", 68}, {"M", 69},
                                                                {"T", 70}, {"I", gob::kInterface}})) +
                       struct_value(66, {{0, enc_int(-5)},
                                         {1, enc_uint(1) + enc_int(3) + std::string(1, '\0')},
                                         {2, enc_uint(1) + std::string(1, '\0')},
                                         {3, enc_uint(1) + enc_string("k") + enc_string("vv")},
                                         {4, enc_uint(2) + enc_string("a") + enc_string("b")},
                                         {5, enc_string("int") + enc_int(2) + enc_uint(2) + std::string(1, '\0') + enc_int(4)}});
    REQUIRE(run(good, *schema).body_errors == std::vector<std::string>{""});

    std::mt19937 rng(20240601);
    auto feed_all = [&](const std::string& stream) {
        gob::RequestDecoder dec(4096);
        std::size_t at = 0;
        int steps = 0;
        while (at < stream.size()) {
            std::size_t n = 1 + rng() % 64;
            dec.feed(std::string_view(stream).substr(at, n));
            at += n;
            for (Step s = dec.next(); s != Step::NeedMore && s != Step::Fatal; s = dec.next()) {
                REQUIRE(++steps < 100000);
                if (s == Step::Body) {
                    if (rng() % 2) (void)dec.body_as(*schema);
                    else dec.skip_body();
                }
            }
        }
    };
    for (int i = 0; i < 3000; ++i) {
        std::string m = good;
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) m[rng() % m.size()] = static_cast<char>(rng());
        if (rng() % 4 == 0) m.resize(rng() % m.size());
        feed_all(m);
    }
    for (int i = 0; i < 1000; ++i) {
        std::string r(rng() % 300, '\0');
        for (char& c : r) c = static_cast<char>(rng());
        feed_all(r);
        feed_all(request_header("Svc.M", 0) + r);
    }
    SUCCEED("no crash, no hang");
}

TEST_CASE("gob closes the connection when an oversized message follows a body nobody read", "[gob]") {
    gob::RequestDecoder dec(1024);
    dec.feed(request_header("Svc.M", 0) + type_definition(66, wire_struct("Args", {{"A", gob::kInt}})) +
             struct_value(66, {}) + bytes("fe 10 00"));
    REQUIRE(dec.next() == Step::Header);
    REQUIRE(dec.next() == Step::Body);
    CHECK(dec.next() == Step::Fatal);
    CHECK(dec.fatal_error() == "gob: message of 4096 bytes exceeds the limit of 1024 bytes");
}

TEST_CASE("gob answers an argument longer than the limit, dropped unbuffered, and the connection goes on", "[gob]") {
    // A Go client's call with a 5,000-byte string argument, then a small
    // call, against a limit of 1024 bytes: the first gets an error naming
    // the limit (its header's Seq is known), the second is served.
    gob::RequestDecoder dec(1024);
    auto text = structure("Text", {{"S", string()}});
    std::string big = type_definition(66, wire_struct("Text", {{"S", gob::kString}})) +
                      struct_value(66, {{0, enc_string(std::string(5000, 'x'))}});
    std::string stream = request_header("Svc.Echo", 1) + big + request_header("Svc.Echo", 2, false) +
                         struct_value(66, {{0, enc_string("small")}});
    std::size_t held = 0;
    std::vector<Step> steps;
    std::vector<std::string> errors;
    // Fed in pieces of 100 bytes, as a socket would: never more than a
    // piece and a message's start is held.
    for (std::size_t at = 0; at < stream.size(); at += 100) {
        dec.feed(std::string_view(stream).substr(at, 100));
        held = std::max(held, dec.buffered());
        for (Step st = dec.next(); st != Step::NeedMore; st = dec.next()) {
            REQUIRE(st != Step::Fatal);
            steps.push_back(st);
            if (st == Step::Header) errors.push_back("seq " + std::to_string(dec.seq()));
            if (st == Step::Body) {
                auto r = dec.body_as(*text);
                errors.push_back(r.ok() ? r.value.as_object().at("S").as_string().c_str() : r.error);
            }
        }
    }
    CHECK(held < 1024);
    CHECK(steps == std::vector<Step>{Step::Header, Step::Body, Step::Header, Step::Body});
    CHECK(errors == std::vector<std::string>{"seq 1", "gob: argument of 5007 bytes exceeds the server's limit of 1024 bytes",
                                             "seq 2", "small"});
}

TEST_CASE("gob still closes the connection on an over-long type definition or header", "[gob]") {
    // A header longer than the limit: nothing to answer it with.
    auto o = run(request_header(std::string(2000, 'M'), 1), *args_ab(), 1024);
    CHECK(o.last == Step::Fatal);
    CHECK_THAT(o.fatal, Catch::Contains("exceeds the limit of 1024 bytes"));
    // A type definition longer than the limit where the body is due.
    std::vector<gob::WireField> fields;
    for (int i = 0; i < 200; ++i) fields.push_back({"Field" + std::to_string(i), gob::kInt});
    o = run(request_header("Svc.M", 1) + type_definition(66, wire_struct("Wide", fields)), *args_ab(), 1024);
    CHECK(o.last == Step::Fatal);
    CHECK_THAT(o.fatal, Catch::Contains("exceeds the limit of 1024 bytes"));
}

} // namespace unit_gob_hostile
