// Decoding request arguments: what a Go client observes when it calls a
// plugrpcd method with gob.
#include "gob_test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_decoder {

using namespace gobtest;
using Step = gob::RequestDecoder::Step;

namespace {

// A request: header, the argument type (id 66) and its value.
std::string call(const gob::WireType& args_type, std::vector<std::pair<int, std::string>> fields) {
    return request_header("Svc.M", 0) + type_definition(66, args_type) + struct_value(66, std::move(fields));
}

// A request whose argument is a single (non-struct) value of `id`.
std::string single_call(gob::TypeId id, std::string encoded, std::string defs = "") {
    std::string p;
    gob::put_int(p, id);
    p.push_back(0);
    p += encoded;
    return request_header("Svc.M", 0) + defs + message(p);
}

std::string error_of(const std::string& stream, const Schema& schema) {
    auto r = decode_request(stream, schema);
    return r.error;
}

} // namespace

TEST_CASE("gob matches struct fields by name, in whatever order the client declares them", "[gob]") {
    auto stream = call(wire_struct("Args", {{"B", gob::kInt}, {"A", gob::kInt}}), {{0, enc_int(8)}, {1, enc_int(7)}});
    auto r = decode_request(stream, *args_ab());
    REQUIRE(r.ok());
    CHECK(boost::json::serialize(r.value) == R"({"A":7,"B":8})");
}

TEST_CASE("gob gives fields the client does not send their zero value", "[gob]") {
    auto schema = structure("Args", {{"A", integer()}, {"S", string()}, {"L", slice(integer())},
                                     {"M", map(string(), boolean())}, {"T", array(2, floating())}});
    auto stream = call(wire_struct("Args", {{"A", gob::kInt}}), {{0, enc_int(7)}});
    auto r = decode_request(stream, *schema);
    REQUIRE(r.ok());
    CHECK(r.value == json(R"({"A":7,"S":"","L":[],"M":{},"T":[0.0,0.0]})"));
}

TEST_CASE("gob skips fields the method does not have, whatever their type", "[gob]") {
    // Extra fields: a string, a complex, a []Point, a map[string]Point, an
    // interface holding an int, and a GobEncoder value.
    gob::WireType point = wire_struct("Point", {{"X", gob::kInt}, {"Y", gob::kInt}});
    gob::WireType marshaled;
    marshaled.kind = gob::WireKind::GobEncoder;
    marshaled.name = "Time";
    std::string defs = type_definition(67, point) + type_definition(68, wire_slice(67)) +
                       type_definition(69, wire_map(gob::kString, 67)) + type_definition(70, marshaled);
    gob::WireType args = wire_struct("Args", {{"Name", gob::kString}, {"A", gob::kInt}, {"C", gob::kComplex},
                                              {"Ps", 68}, {"Pm", 69}, {"Any", gob::kInterface}, {"When", 70},
                                              {"B", gob::kInt}});
    std::string point_value = enc_uint(1) + enc_int(3) + enc_uint(1) + enc_int(4) + std::string(1, '\0');
    std::string any = enc_string("int") + enc_int(gob::kInt) + enc_uint(2) + std::string(1, '\0') + enc_int(9);
    std::string stream = request_header("Svc.M", 0) + defs + type_definition(66, args) +
                         struct_value(66, {{0, enc_string("skip me")},
                                           {1, enc_int(7)},
                                           {2, enc_uint(1) + enc_uint(2)},
                                           {3, enc_uint(2) + point_value + point_value},
                                           {4, enc_uint(1) + enc_string("p") + point_value},
                                           {5, any},
                                           {6, enc_string("\x01\x02\x03")},
                                           {7, enc_int(8)}});
    auto r = decode_request(stream, *args_ab());
    REQUIRE(r.error == "");
    CHECK(r.value == json(R"({"A":7,"B":8})"));
}

TEST_CASE("gob refuses an unsigned integer for a signed field with Go's error text", "[gob]") {
    auto stream = call(wire_struct("Args", {{"A", gob::kInt}, {"B", gob::kUint}}), {{0, enc_int(7)}, {1, enc_uint(8)}});
    CHECK(error_of(stream, *args_ab()) == "gob: wrong type (int64) for received field Args.B");
}

TEST_CASE("gob refuses a signed integer for an unsigned field with Go's error text", "[gob]") {
    auto schema = structure("Args", {{"A", integer()}, {"B", unsigned_()}});
    auto stream = call(wire_struct("Args", {{"A", gob::kInt}, {"B", gob::kInt}}), {{0, enc_int(7)}, {1, enc_int(8)}});
    CHECK(error_of(stream, *schema) == "gob: wrong type (uint64) for received field Args.B");
}

TEST_CASE("gob refuses an integer for a float field, and a float for an integer field", "[gob]") {
    auto floats = structure("Args", {{"X", floating()}});
    CHECK(error_of(call(wire_struct("Args", {{"X", gob::kInt}}), {}), *floats) ==
          "gob: wrong type (float64) for received field Args.X");
    auto ints = structure("Args", {{"X", integer(32)}});
    CHECK(error_of(call(wire_struct("Args", {{"X", gob::kFloat}}), {}), *ints) ==
          "gob: wrong type (int32) for received field Args.X");
}

TEST_CASE("gob reports a type mismatch even when the mismatched field holds its zero value", "[gob]") {
    // Go checks types before reading the value; B is absent from the value.
    auto stream = call(wire_struct("Args", {{"A", gob::kInt}, {"B", gob::kString}}), {{0, enc_int(7)}});
    CHECK(error_of(stream, *args_ab()) == "gob: wrong type (int64) for received field Args.B");
}

TEST_CASE("gob refuses an interface or complex value where the method wants a concrete type", "[gob]") {
    CHECK(error_of(call(wire_struct("Args", {{"A", gob::kInterface}}), {}), *args_ab()) ==
          "gob: wrong type (int64) for received field Args.A");
    CHECK(error_of(call(wire_struct("Args", {{"A", gob::kComplex}}), {}), *args_ab()) ==
          "gob: wrong type (int64) for received field Args.A");
}

TEST_CASE("gob checks nested structs and names them in the error", "[gob]") {
    auto inner = structure("Inner", {{"X", integer()}});
    auto schema = structure("Args", {{"In", inner}});
    std::string stream = request_header("Svc.M", 0) + type_definition(67, wire_struct("Inner", {{"X", gob::kString}})) +
                         type_definition(66, wire_struct("Args", {{"In", 67}})) + struct_value(66, {});
    CHECK(error_of(stream, *schema) == "gob: wrong type (int64) for received field Inner.X");

    auto not_a_struct = call(wire_struct("Args", {{"In", gob::kInt}}), {});
    CHECK(error_of(not_a_struct, *schema) == "gob: type mismatch in decoder: want struct type Inner; got non-struct");
}

TEST_CASE("gob decodes nested structs, slices of structs and maps of structs", "[gob]") {
    auto point = structure("Point", {{"X", integer()}, {"Y", integer()}});
    auto schema = structure("Args", {{"P", point}, {"Ps", slice(point)}, {"Pm", map(string(), point)}});
    std::string defs = type_definition(67, wire_struct("Point", {{"X", gob::kInt}, {"Y", gob::kInt}})) +
                       type_definition(68, wire_slice(67)) + type_definition(69, wire_map(gob::kString, 67));
    std::string p12 = enc_uint(1) + enc_int(1) + enc_uint(1) + enc_int(2) + std::string(1, '\0');
    std::string p0 = std::string(1, '\0');
    std::string stream = request_header("Svc.M", 0) + defs +
                         type_definition(66, wire_struct("Args", {{"P", 67}, {"Ps", 68}, {"Pm", 69}})) +
                         struct_value(66, {{0, p12}, {1, enc_uint(2) + p0 + p12}, {2, enc_uint(1) + enc_string("k") + p12}});
    auto r = decode_request(stream, *schema);
    REQUIRE(r.error == "");
    CHECK(r.value == json(R"({"P":{"X":1,"Y":2},"Ps":[{"X":0,"Y":0},{"X":1,"Y":2}],"Pm":{"k":{"X":1,"Y":2}}})"));
}

TEST_CASE("gob refuses an integer too large for the field's width with Go's error text", "[gob]") {
    auto schema = structure("Args", {{"Small", integer(8)}, {"U", unsigned_(16)}, {"R", floating(32)}});
    auto args = wire_struct("Args", {{"Small", gob::kInt}, {"U", gob::kUint}, {"R", gob::kFloat}});
    CHECK(error_of(call(args, {{0, enc_int(128)}}), *schema) == "value for \"Small\" out of range");
    CHECK(error_of(call(args, {{0, enc_int(-129)}}), *schema) == "value for \"Small\" out of range");
    CHECK(error_of(call(args, {{1, enc_uint(65536)}}), *schema) == "value for \"U\" out of range");
    std::string big;
    gob::put_float(big, 1e300);
    CHECK(error_of(call(args, {{2, big}}), *schema) == "value for \"R\" out of range");

    auto ok = decode_request(call(args, {{0, enc_int(-128)}, {1, enc_uint(65535)}}), *schema);
    REQUIRE(ok.ok());
    CHECK(ok.value == json(R"({"Small":-128,"U":65535,"R":0.0})"));
}

TEST_CASE("gob names slice elements and map values in out-of-range errors as Go does", "[gob]") {
    auto schema = structure("Args", {{"Xs", slice(integer(8))}, {"M", map(string(), integer(8))}});
    std::string defs = type_definition(67, wire_slice(gob::kInt)) + type_definition(68, wire_map(gob::kString, gob::kInt));
    auto args = wire_struct("Args", {{"Xs", 67}, {"M", 68}});
    auto with = [&](std::vector<std::pair<int, std::string>> f) {
        return request_header("Svc.M", 0) + defs + type_definition(66, args) + struct_value(66, std::move(f));
    };
    CHECK(error_of(with({{0, enc_uint(2) + enc_int(1) + enc_int(1000)}}), *schema) ==
          "value for \"element of Xs\" out of range");
    CHECK(error_of(with({{1, enc_uint(1) + enc_string("k") + enc_int(1000)}}), *schema) ==
          "value for \"M\" out of range");
}

TEST_CASE("gob rounds float32 fields to float32 and accepts infinity", "[gob]") {
    auto schema = structure("Args", {{"R", floating(32)}});
    std::string tenth, inf;
    gob::put_float(tenth, 0.1);
    gob::put_float(inf, std::numeric_limits<double>::infinity());
    auto args = wire_struct("Args", {{"R", gob::kFloat}});
    auto r = decode_request(call(args, {{0, tenth}}), *schema);
    REQUIRE(r.ok());
    CHECK(r.value.at("R").as_double() == static_cast<double>(0.1f));
    auto i = decode_request(call(args, {{0, inf}}), *schema);
    REQUIRE(i.ok());
    CHECK(std::isinf(i.value.at("R").as_double()));
}

TEST_CASE("gob decodes a method argument that is a single int", "[gob]") {
    auto r = decode_request(single_call(gob::kInt, enc_int(-7)), *integer());
    REQUIRE(r.ok());
    CHECK(r.value == json("-7"));
}

TEST_CASE("gob decodes single strings, byte slices, slices and maps as method arguments", "[gob]") {
    CHECK(decode_request(single_call(gob::kString, enc_string("hi")), *string()).value == json(R"("hi")"));
    CHECK(decode_request(single_call(gob::kBytes, enc_string("hi")), *byte_string()).value == json(R"("aGk=")"));
    auto slices = decode_request(single_call(67, enc_uint(2) + enc_string("a") + enc_string("b"),
                                             type_definition(67, wire_slice(gob::kString))),
                                 *slice(string()));
    CHECK(slices.value == json(R"(["a","b"])"));
    auto maps = decode_request(single_call(67, enc_uint(2) + enc_int(-3) + enc_uint(1) + enc_int(4) + enc_uint(0),
                                           type_definition(67, wire_map(gob::kInt, gob::kUint))),
                               *map(integer(), unsigned_()));
    CHECK(maps.value == json(R"({"-3":1,"4":0})"));
}

TEST_CASE("gob reads a []uint8 slice argument from gob bytes as an array of numbers", "[gob]") {
    auto r = decode_request(single_call(gob::kBytes, enc_string(std::string("\x00\x07\xff", 3))), *slice(unsigned_(8)));
    REQUIRE(r.ok());
    CHECK(r.value == json("[0,7,255]"));
}

TEST_CASE("gob refuses a struct argument sent as a plain int", "[gob]") {
    CHECK(error_of(single_call(gob::kInt, enc_int(1)), *args_ab()) ==
          "gob: type mismatch in decoder: want struct type Args; got non-struct");
}

TEST_CASE("gob refuses an int argument sent as a struct, naming the types as Go does", "[gob]") {
    auto stream = call(wire_struct("Args", {{"A", gob::kInt}}), {{0, enc_int(1)}});
    CHECK(error_of(stream, *integer()) == "gob: decoding into local type *int64, received remote type Args");
}

TEST_CASE("gob refuses a struct whose fields all differ from the method's", "[gob]") {
    auto stream = call(wire_struct("Other", {{"X", gob::kInt}}), {{0, enc_int(1)}});
    CHECK(error_of(stream, *args_ab()) == "gob: type mismatch: no fields matched compiling decoder for Args");
}

TEST_CASE("gob ignores lower-case (unexported) fields the client sends", "[gob]") {
    auto schema = structure("Args", {{"a", integer()}, {"B", integer()}});
    auto stream = call(wire_struct("Args", {{"a", gob::kInt}, {"B", gob::kInt}}), {{0, enc_int(1)}, {1, enc_int(2)}});
    auto r = decode_request(stream, *schema);
    REQUIRE(r.ok());
    CHECK(r.value == json(R"({"a":0,"B":2})"));
}

TEST_CASE("gob checks array lengths in the type and in the value", "[gob]") {
    auto schema = structure("Args", {{"T", array(3, unsigned_(8))}});
    std::string wrong_type = request_header("Svc.M", 0) + type_definition(67, wire_array(gob::kUint, 4)) +
                             type_definition(66, wire_struct("Args", {{"T", 67}})) + struct_value(66, {});
    CHECK(error_of(wrong_type, *schema) == "gob: wrong type ([3]uint8) for received field Args.T");
    std::string wrong_value = request_header("Svc.M", 0) + type_definition(67, wire_array(gob::kUint, 3)) +
                              type_definition(66, wire_struct("Args", {{"T", 67}})) +
                              struct_value(66, {{0, enc_uint(2) + enc_uint(1) + enc_uint(2)}});
    CHECK(error_of(wrong_value, *schema) == "gob: length mismatch in decodeArray");
}

TEST_CASE("gob keeps the last value of a map key the client repeats", "[gob]") {
    auto stream = single_call(67, enc_uint(2) + enc_string("k") + enc_int(1) + enc_string("k") + enc_int(2),
                              type_definition(67, wire_map(gob::kString, gob::kInt)));
    CHECK(decode_request(stream, *map(string(), integer())).value == json(R"({"k":2})"));
}

TEST_CASE("gob keeps the bytes of strings that are not UTF-8, as Go's strings hold them", "[gob]") {
    auto r = decode_request(single_call(gob::kString, enc_string("a\xff" "b\xc3")), *string());
    REQUIRE(r.ok());
    CHECK(r.value.as_string() == "a\xff" "b\xc3");
}

TEST_CASE("gob map keys that differ only in bytes that are not UTF-8 stay apart", "[gob]") {
    auto stream = single_call(67, enc_uint(3) + enc_string("k\xff") + enc_int(1) + enc_string("k\xfe") + enc_int(2) +
                                      enc_string("k\xEF\xBF\xBD") + enc_int(3),
                              type_definition(67, wire_map(gob::kString, gob::kInt)));
    auto r = decode_request(stream, *map(string(), integer()));
    REQUIRE(r.ok());
    const auto& o = r.value.as_object();
    REQUIRE(o.size() == 3);
    CHECK(o.at("k\xff") == 1);
    CHECK(o.at("k\xfe") == 2);
    CHECK(o.at("k\xEF\xBF\xBD") == 3);
}

TEST_CASE("gob accepts a struct value that ends with the message instead of a zero delta", "[gob]") {
    std::string p = enc_int(66) + enc_uint(1) + enc_int(7); // no terminator
    std::string stream = request_header("Svc.M", 0) +
                         type_definition(66, wire_struct("Args", {{"A", gob::kInt}, {"B", gob::kInt}})) + message(p);
    auto r = decode_request(stream, *args_ab());
    REQUIRE(r.ok());
    CHECK(r.value == json(R"({"A":7,"B":0})"));
}

TEST_CASE("gob answers a bad body with an error and goes on with the next request", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    auto bad = call(wire_struct("Args", {{"A", gob::kString}}), {{0, enc_string("x")}});
    expect_request(dec, bad);
    CHECK(dec.body_as(*args_ab()).error == "gob: wrong type (int64) for received field Args.A");
    std::string good = request_header("Svc.M", 1, false) + type_definition(67, wire_struct("Args", {{"A", gob::kInt}})) +
                       struct_value(67, {{0, enc_int(5)}});
    expect_request(dec, good);
    CHECK(dec.seq() == 1);
    auto r = dec.body_as(*args_ab());
    REQUIRE(r.ok());
    CHECK(r.value == json(R"({"A":5,"B":0})"));
}

TEST_CASE("gob discards the body of an unknown method and reads the next request", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    expect_request(dec, call(wire_struct("Args", {{"A", gob::kInt}}), {{0, enc_int(1)}}));
    dec.skip_body();
    expect_request(dec, request_header("Svc.N", 1, false) + struct_value(66, {{0, enc_int(2)}}));
    CHECK(dec.service_method() == "Svc.N");
    CHECK(dec.body_as(*args_ab()).value == json(R"({"A":2,"B":0})"));
}

TEST_CASE("gob skips a body the caller leaves alone when asked for the next request", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    expect_request(dec, call(wire_struct("Args", {{"A", gob::kInt}}), {{0, enc_int(1)}}) +
                            request_header("Svc.N", 1, false) + struct_value(66, {{0, enc_int(2)}}));
    REQUIRE(dec.next() == Step::Header);
    CHECK(dec.seq() == 1);
    REQUIRE(dec.next() == Step::Body);
    CHECK(dec.body_as(*args_ab()).value == json(R"({"A":2,"B":0})"));
}

TEST_CASE("gob reports the header before the body has arrived", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    dec.feed(request_header("Svc.M", 3));
    REQUIRE(dec.next() == Step::Header);
    CHECK(dec.seq() == 3);
    CHECK(dec.next() == Step::NeedMore);
    dec.feed(type_definition(66, wire_struct("Args", {{"A", gob::kInt}})));
    CHECK(dec.next() == Step::NeedMore);
    dec.feed(struct_value(66, {{0, enc_int(4)}}));
    REQUIRE(dec.next() == Step::Body);
    CHECK(dec.body_as(*args_ab()).value == json(R"({"A":4,"B":0})"));
}

TEST_CASE("gob keeps a pending body intact while more bytes are fed", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    expect_request(dec, call(wire_struct("Args", {{"A", gob::kInt}}), {{0, enc_int(9)}}));
    dec.feed(std::string(100000, '\0').replace(0, 1, "\x7f")); // a large partial message
    auto r = dec.body_as(*args_ab());
    REQUIRE(r.ok());
    CHECK(r.value == json(R"({"A":9,"B":0})"));
}

} // namespace unit_gob_decoder
