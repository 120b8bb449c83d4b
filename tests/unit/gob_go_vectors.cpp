// Bytes captured from real Go 1.19 programs (net/rpc over gob) with rich
// types: a client's requests, and a fresh server's replies. The Go sources
// are quoted in the comments.
#include "gob_test_support.hpp"

#include "wire/gob/encoder.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_go_vectors {

using namespace gobtest;
using Step = gob::RequestDecoder::Step;

namespace {

// type Inner struct {
//     Data []byte; Counts map[string]int; Weights []float64; Tag [3]uint8; On bool; Label string }
// type Point struct{ X, Y int }   // gob.Register(Point{})
// type Args struct {
//     In Inner; Neg int; Max uint64; Ratio float32; Small int8; P *int; Q *Inner; Extra interface{} }
//
// client.Go("Svc.Rich", Args{In: Inner{Data: []byte{0, 1, 2, 250}, Counts: map[string]int{"a": 1},
//     Weights: []float64{1.5, -2.25}, Tag: [3]uint8{1, 2, 255}, On: true, Label: "héllo"},
//     Neg: -129, Max: ^uint64(0), Ratio: 0.1, Small: -8, P: &seven, Extra: Point{3, 4}}, ...)
// The argument value ends its message after Point's type definition and
// continues in the next one.
const std::string kRichCall = bytes(
    "2fff81030101075265717565737401ff82000102010d536572766963654d6574686f64010c0001035365710106000000"
    "0dff8201085376632e5269636800"
    "55ff83030101044172677301ff840001080102496e01ff860001034e656701040001034d61780106000105526174696f01"
    "08000105536d616c6c01040001015001040001015101ff86000105457874726101100000"
    "004fff8503010105496e6e657201ff86000106010444617461010a000106436f756e747301ff8800010757656967687473"
    "01ff8a00010354616701ff8c0001024f6e01020001054c6162656c010c000000"
    "1eff870401010e6d61705b737472696e675d696e7401ff8800010c01040000"
    "17ff89020101095b5d666c6f6174363401ff8a00010800"
    "0018ff8b010101085b335d75696e743801ff8c0001060106000"
    "06bff84010104000102fa01010161020102fef83ffe02c001030102ffff0101010668c3a96c6c6f0001fe010101f8ffff"
    "ffffffffffff01fba09999b93f010f010e020a6d61696e2e506f696e74ff8d03010105506f696e7401ff8e00010201015801"
    "0400010159010400000009ff8e05010601080000");

// client.Go("Svc.Rich", Args{Neg: 5, Extra: Point{5, 6}}, ...) on the same connection.
const std::string kSecondRichCall = bytes(
    "0fff8201085376632e5269636801010020ff8401040300000000010a060a6d61696e2e506f696e74ff8e05010a010c0000");

SchemaPtr inner_args() {
    return structure("Inner", {{"Data", byte_string()},
                               {"Counts", map(string(), integer())},
                               {"Weights", slice(floating())},
                               {"Tag", array(3, unsigned_(8))},
                               {"On", boolean()},
                               {"Label", string()}});
}

// The server's view: pointers flattened, Extra not wanted.
SchemaPtr rich_args() {
    return structure("Args", {{"In", inner_args()},
                              {"Neg", integer()},
                              {"Max", unsigned_()},
                              {"Ratio", floating(32)},
                              {"Small", integer(8)},
                              {"P", integer()},
                              {"Q", inner_args()}});
}

const char* kRichArgs = R"({
    "In": {"Data": "AAEC+g==", "Counts": {"a": 1}, "Weights": [1.5, -2.25], "Tag": [1, 2, 255],
           "On": true, "Label": "héllo"},
    "Neg": -129, "Max": 18446744073709551615, "Ratio": 0.10000000149011612, "Small": -8, "P": 7,
    "Q": {"Data": "", "Counts": {}, "Weights": [], "Tag": [0, 0, 0], "On": false, "Label": ""}})";

const char* kSecondArgs = R"({
    "In": {"Data": "", "Counts": {}, "Weights": [], "Tag": [0, 0, 0], "On": false, "Label": ""},
    "Neg": 5, "Max": 0, "Ratio": 0.0, "Small": 0, "P": 0,
    "Q": {"Data": "", "Counts": {}, "Weights": [], "Tag": [0, 0, 0], "On": false, "Label": ""}})";

// type Inner struct { Data []byte; Counts map[string]int64; Label string; On bool }
// type Reply struct { In Inner; Weights []float64; Tag [3]uint8; Neg int64; Max uint64; Ratio float32;
//     Zero int64; Empty string; Small int8; Names []string; Nothing []int64; None map[string]int64 }
SchemaPtr rich_reply() {
    auto counts = map(string(), integer());
    auto inner = structure("Inner", {{"Data", byte_string()}, {"Counts", counts}, {"Label", string()},
                                     {"On", boolean()}});
    return structure("Reply", {{"In", inner},
                               {"Weights", slice(floating())},
                               {"Tag", array(3, unsigned_(8))},
                               {"Neg", integer()},
                               {"Max", unsigned_()},
                               {"Ratio", floating(32)},
                               {"Zero", integer()},
                               {"Empty", string()},
                               {"Small", integer(8)},
                               {"Names", slice(string())},
                               {"Nothing", slice(integer())},
                               {"None", map(string(), integer())}});
}

const char* kRichReply = R"({
    "In": {"Data": "AAEC+g==", "Counts": {"a": -1}, "Label": "héllo", "On": true},
    "Weights": [1.5, -2.25, 0], "Tag": [1, 0, 255], "Neg": -129, "Max": 18446744073709551615,
    "Ratio": 0.1, "Zero": 0, "Empty": "", "Small": -8, "Names": ["x", ""], "Nothing": [], "None": {}})";

const char* kZeroReply = R"({
    "In": {"Data": "", "Counts": {}, "Label": "", "On": false},
    "Weights": [], "Tag": [0, 0, 0], "Neg": 0, "Max": 0, "Ratio": 0.0, "Zero": 0, "Empty": "",
    "Small": 0, "Names": [], "Nothing": [], "None": {}})";

// A fresh Go server answering Svc.Rich, Svc.Fail ("divide by zero"),
// Svc.Zero (the zero Reply) and Svc.Rich again, Seq 0..3.
const std::string kGoReplies[] = {
    bytes("3aff8103010108526573706f6e736501ff82000103010d536572766963654d6574686f64010c0001035365710106000105"
          "4572726f72010c000000"
          "0dff8201085376632e5269636800"
          "ff8aff83030101055265706c7901ff8400010c0102496e01ff860001075765696768747301ff8a00010354616701ff8c00"
          "01034e656701040001034d61780106000105526174696f01080001045a65726f0104000105456d707479010c000105536d"
          "616c6c01040001054e616d657301ff8e0001074e6f7468696e6701ff900001044e6f6e6501ff88000000"
          "39ff8503010105496e6e657201ff86000104010444617461010a000106436f756e747301ff880001054c6162656c010c00"
          "01024f6e0102000000"
          "20ff87040101106d61705b737472696e675d696e74363401ff8800010c01040000"
          "17ff89020101095b5d666c6f6174363401ff8a00010800"
          "0018ff8b010101085b335d75696e743801ff8c000106010600"
          "0016ff8d020101085b5d737472696e6701ff8e00010c00"
          "0015ff8f020101075b5d696e74363401ff9000010400"
          "0045ff84010104000102fa0101016101010668c3a96c6c6f0101000103fef83ffe02c00001030100ffff01fe010101f8"
          "ffffffffffffffff01fba09999b93f030f010201780000"),
    bytes("1fff8201085376632e4661696c0101010e646976696465206279207a65726f000aff91030102ff9200000003ff9200"),
    bytes("0fff8201085376632e5a65726f0102000aff840100020300000000"),
    bytes("0fff8201085376632e5269636801030045ff84010104000102fa0101016101010668c3a96c6c6f0101000103fef83ffe02"
          "c00001030100ffff01fe010101f8ffffffffffffffff01fba09999b93f030f010201780000"),
};

} // namespace

TEST_CASE("gob decodes a Go client's rich argument: bytes, maps, floats, arrays, pointers, an interface to skip",
          "[gob]") {
    auto body = decode_request(kRichCall, *rich_args());
    REQUIRE(body.ok());
    CHECK(body.value == json(kRichArgs));
}

TEST_CASE("gob decodes a Go client's second rich call, whose interface type is already known", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    expect_request(dec, kRichCall);
    REQUIRE(dec.body_as(*rich_args()).ok());
    expect_request(dec, kSecondRichCall);
    CHECK(dec.seq() == 1);
    auto body = dec.body_as(*rich_args());
    REQUIRE(body.ok());
    CHECK(body.value == json(kSecondArgs));
}

TEST_CASE("gob waits for every message of a value that continues after an interface type definition", "[gob]") {
    gob::RequestDecoder dec(1 << 20);
    const std::string stream = kRichCall + kSecondRichCall;
    std::vector<boost::json::value> bodies;
    for (char c : stream) {
        dec.feed(std::string_view(&c, 1));
        for (Step s = dec.next(); s != Step::NeedMore; s = dec.next()) {
            REQUIRE(s != Step::Fatal);
            if (s == Step::Body) bodies.push_back(dec.body_as(*rich_args()).value);
        }
    }
    REQUIRE(bodies.size() == 2);
    CHECK(bodies[0] == json(kRichArgs));
    CHECK(bodies[1] == json(kSecondArgs));
}

TEST_CASE("gob encodes rich replies, an error and a zero reply byte for byte as a fresh Go server", "[gob]") {
    gob::ResponseEncoder enc;
    auto schema = rich_reply();
    auto rich = json(kRichReply);
    auto zero = json(kZeroReply);
    std::string out[4];
    enc.encode(out[0], "Svc.Rich", 0, "", &rich, schema.get());
    enc.encode(out[1], "Svc.Fail", 1, "divide by zero", nullptr, schema.get());
    enc.encode(out[2], "Svc.Zero", 2, "", &zero, schema.get());
    enc.encode(out[3], "Svc.Rich", 3, "", &rich, schema.get());
    for (int i = 0; i < 4; ++i) {
        INFO("reply " << i);
        CHECK(hex(out[i]) == hex(kGoReplies[i]));
    }
}

} // namespace unit_gob_go_vectors
