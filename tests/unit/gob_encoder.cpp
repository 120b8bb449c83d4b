// Encoding replies: the bytes a Go client receives from plugrpcd.
#include "gob_test_support.hpp"

#include "wire/gob/encoder.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_encoder {

using namespace gobtest;

namespace {

struct Message {
    std::int64_t id;
    std::string rest; // after the id
};

std::vector<Message> messages(const std::string& out) {
    std::vector<Message> all;
    gob::Reader r(out);
    while (!r.empty()) {
        gob::Reader m(r.read_bytes(r.read_length("message")));
        std::int64_t id = m.read_int();
        all.push_back({id, std::string(m.read_bytes(m.remaining()))});
    }
    return all;
}

gob::WireType definition(const Message& m) {
    gob::Reader r(m.rest);
    return gob::read_wire_type(r);
}

// The body message (the last one) of a reply to `schema` with `value`.
std::string body_of(const Schema& schema, const boost::json::value& value) {
    gob::ResponseEncoder enc;
    std::string out;
    enc.encode(out, "Svc.M", 0, "", &value, &schema);
    return hex(messages(out).back().rest);
}

SchemaPtr all_kinds() {
    return structure("Reply", {{"B", boolean()},
                               {"I", integer()},
                               {"U", unsigned_()},
                               {"F", floating()},
                               {"S", string()},
                               {"Y", byte_string()},
                               {"L", slice(integer())},
                               {"M", map(string(), integer())},
                               {"T", array(2, integer())},
                               {"N", structure("Inner", {{"X", integer()}})}});
}

} // namespace

TEST_CASE("gob leaves zero-valued fields out of a reply but always sends arrays and nested structs", "[gob]") {
    auto zero = json(R"({"B":false,"I":0,"U":0,"F":0.0,"S":"","Y":"","L":[],"M":{},"T":[0,0],"N":{"X":0}})");
    // T is field 8 (delta 9): count 2, two zeros; N (delta 1): an empty struct.
    CHECK(body_of(*all_kinds(), zero) == "09 02 00 00 01 00 00");
}

TEST_CASE("gob sends every non-zero field with its delta", "[gob]") {
    auto v = json(R"({"B":true,"I":-1,"U":2,"F":17.0,"S":"s","Y":"AQ==","L":[0],"M":{"k":0},"T":[1,0],"N":{"X":3}})");
    CHECK(body_of(*all_kinds(), v) ==
          "01 01 01 01 01 02 01 fe 31 40 01 01 73 01 01 01 01 01 00 01 01 01 6b 00 01 02 02 00 01 01 06 00 00");
}

TEST_CASE("gob sends every element of a slice, zeros included", "[gob]") {
    CHECK(body_of(*slice(integer()), json("[0,5]")) == "00 02 00 0a");
}

TEST_CASE("gob sends a top-level zero value, since nothing frames it", "[gob]") {
    CHECK(body_of(*integer(), json("0")) == "00 00");
    CHECK(body_of(*map(string(), integer()), json("{}")) == "00 00");
    CHECK(body_of(*structure("Empty", {}), json("{}")) == "00");
}

TEST_CASE("gob sends a []byte reply with the predefined bytes type and no definition", "[gob]") {
    gob::ResponseEncoder enc;
    std::string out;
    auto v = json(R"("AAEC")");
    enc.encode(out, "Svc.M", 0, "", &v, byte_string().get());
    auto all = messages(out);
    REQUIRE(all.size() == 3); // Response definition, header, body
    CHECK(all[2].id == gob::kBytes);
    CHECK(hex(all[2].rest) == "00 03 00 01 02");
}

TEST_CASE("gob describes a top-level slice with an empty name and a field's slice with its Go spelling", "[gob]") {
    gob::ResponseEncoder enc;
    std::string out;
    auto top = json(R"(["a"])");
    enc.encode(out, "Svc.M", 0, "", &top, slice(string()).get());
    auto all = messages(out);
    REQUIRE(all.size() == 4);
    CHECK(all[2].id == -66);
    CHECK(definition(all[2]).name == "");

    gob::ResponseEncoder enc2;
    std::string out2;
    auto field = json(R"({"Names":["a"]})");
    enc2.encode(out2, "Svc.M", 0, "", &field, structure("Reply", {{"Names", slice(string())}}).get());
    auto defs = messages(out2);
    REQUIRE(defs.size() == 5);
    CHECK(definition(defs[3]).name == "[]string");
}

TEST_CASE("gob numbers a struct before the slice that holds it but describes the slice first, as Go does", "[gob]") {
    auto item = structure("Item", {{"N", integer()}});
    auto reply = structure("Reply", {{"Items", slice(item)}, {"Count", map(string(), item)}});
    gob::ResponseEncoder enc;
    std::string out;
    auto v = json(R"({"Items":[{"N":1}],"Count":{}})");
    enc.encode(out, "Svc.M", 0, "", &v, reply.get());
    auto all = messages(out);
    REQUIRE(all.size() == 7);
    // Response 65; Reply 66; Item 67; []Item 68; map[string]Item 69.
    CHECK(all[2].id == -66);
    CHECK(all[3].id == -68);
    CHECK(definition(all[3]).name == "[]Item");
    CHECK(definition(all[3]).elem == 67);
    CHECK(all[4].id == -67);
    CHECK(definition(all[4]).name == "Item");
    CHECK(all[5].id == -69);
    CHECK(definition(all[5]).name == "map[string]Item");
}

TEST_CASE("gob names a struct first met as a map value with an empty name, as Go does", "[gob]") {
    auto item = structure("Item", {{"N", integer()}});
    gob::ResponseEncoder enc;
    std::string out;
    auto v = json(R"({"k":{"N":1}})");
    enc.encode(out, "Svc.M", 0, "", &v, map(string(), item).get());
    auto all = messages(out);
    REQUIRE(all.size() == 5);
    CHECK(definition(all[2]).kind == gob::WireKind::Map);
    CHECK(definition(all[3]).kind == gob::WireKind::Struct);
    CHECK(definition(all[3]).name == "");
}

TEST_CASE("gob describes each type once per connection, even when reply types share it", "[gob]") {
    auto inner = structure("Inner", {{"X", integer()}});
    auto a = structure("A", {{"In", inner}});
    auto b = structure("B", {{"In", structure("Inner", {{"X", integer()}})}}); // same shape, another object
    gob::ResponseEncoder enc;
    std::string first, second;
    auto v = json(R"({"In":{"X":1}})");
    enc.encode(first, "Svc.A", 0, "", &v, a.get());
    enc.encode(second, "Svc.B", 1, "", &v, b.get());
    auto defs = messages(second);
    REQUIRE(defs.size() == 3); // header, B's definition, body
    CHECK(defs[1].id == -68);
    CHECK(definition(defs[1]).fields.at(0).id == 67);
}

TEST_CASE("gob treats structs of one name but different fields as different types", "[gob]") {
    gob::ResponseEncoder enc;
    std::string first, second;
    auto v = json("{}");
    enc.encode(first, "Svc.A", 0, "", &v, structure("Args", {{"X", integer()}}).get());
    enc.encode(second, "Svc.B", 1, "", &v, structure("Args", {{"Y", integer()}}).get());
    auto all = messages(second);
    REQUIRE(all.size() == 3); // header, the second Args' definition, body
    CHECK(all[1].id == -67);
    CHECK(all[2].id == 67);
}

TEST_CASE("gob sends zero values where a reply does not match its schema, never failing", "[gob]") {
    auto wrong = json(R"({"B":"yes","I":"x","U":-1,"F":"1","S":5,"Y":"!!not base64","L":{},"M":[],"T":"no","N":7})");
    CHECK(body_of(*all_kinds(), wrong) == "09 02 00 00 01 00 00");
    CHECK(body_of(*all_kinds(), json("null")) == "09 02 00 00 01 00 00");
    CHECK(body_of(*all_kinds(), json("[1,2,3]")) == "09 02 00 00 01 00 00");
}

TEST_CASE("gob sends integers outside the field's width as zero", "[gob]") {
    auto schema = structure("R", {{"S", integer(8)}, {"U", unsigned_(8)}, {"I", integer()}});
    CHECK(body_of(*schema, json(R"({"S":200,"U":256,"I":18446744073709551615})")) == "00");
    CHECK(body_of(*schema, json(R"({"S":-128,"U":255,"I":-1})")) == "01 ff ff 01 ff ff 01 01 00");
}

TEST_CASE("gob accepts integral JSON numbers of any kind for integer and float fields", "[gob]") {
    auto schema = structure("R", {{"U", unsigned_()}, {"F", floating()}, {"I", integer()}});
    CHECK(body_of(*schema, json(R"({"U":3,"F":17,"I":4.0})")) == body_of(*schema, json(R"({"U":3,"F":17.0,"I":4})")));
}

TEST_CASE("gob rounds float32 values to float32 as a Go server would", "[gob]") {
    auto schema = structure("R", {{"F", floating(32)}});
    // float64(float32(0.1)) = 0x3FB99999A0000000, byte-reversed.
    CHECK(body_of(*schema, json(R"({"F":0.1})")) == "01 fb a0 99 99 b9 3f 00");
}

TEST_CASE("gob pads or cuts array values to the schema's length", "[gob]") {
    CHECK(body_of(*array(3, integer()), json("[1]")) == "00 03 02 00 00");
    CHECK(body_of(*array(2, integer()), json("[1,2,3]")) == "00 02 02 04");
}

TEST_CASE("gob sends integer map keys parsed from the JSON object's keys, leaving out keys that do not fit", "[gob]") {
    CHECK(body_of(*map(integer(8), boolean()), json(R"({"-2":true,"x":true,"300":true,"":true})")) ==
          "00 01 03 01");
    CHECK(body_of(*map(unsigned_(), boolean()), json(R"({"7":false,"-1":true})")) == "00 01 07 00");
}

TEST_CASE("gob sends a []uint8 slice from a JSON array as gob bytes", "[gob]") {
    CHECK(body_of(*slice(unsigned_(8)), json("[1,2,255]")) == "00 03 01 02 ff");
}

TEST_CASE("gob ignores the reply value of an error reply", "[gob]") {
    gob::ResponseEncoder enc;
    std::string out;
    auto v = json(R"({"A":1})");
    enc.encode(out, "Svc.M", 4, "boom", &v, args_ab().get());
    auto all = messages(out);
    REQUIRE(all.size() == 4);
    CHECK(definition(all[2]).fields.empty());
    CHECK(hex(all[3].rest) == "00");
}

} // namespace unit_gob_encoder
