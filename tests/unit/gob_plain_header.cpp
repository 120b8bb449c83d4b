// net/rpc's Request header read the short way (wire/gob/netrpc_headers):
// what it accepts, the general decoder reads to the same method and seq;
// the rest it leaves to that decoder.
#include "wire/gob/input.hpp"
#include "wire/gob/netrpc_headers.hpp"
#include "wire/gob/skip.hpp"
#include "wire/gob/value_decoder.hpp"
#include "gob_test_support.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_plain_header {

using namespace gobtest;

namespace {

constexpr gob::TypeId kRequest = 65;

// A type table holding Request as Go defines it (id 65), and `other` (66),
// the same fields in the other order.
gob::TypeTable table() {
    gob::TypeTable t;
    t.define(kRequest, wire_struct("Request", {{"ServiceMethod", gob::kString}, {"Seq", gob::kUint}}), 0);
    t.define(66, wire_struct("Request", {{"Seq", gob::kUint}, {"ServiceMethod", gob::kString}}), 0);
    return t;
}

// The payload of Request{method, seq} after its type id, as Go writes it.
std::string payload(std::string_view method, std::uint64_t seq) {
    std::string p = "\x01";
    gob::put_string(p, method);
    p += "\x01";
    gob::put_uint(p, seq);
    p.push_back(0);
    return p;
}

// "method seq" read the short way, or "declined".
std::string plain(gob::TypeTable& types, gob::TypeId id, std::string_view message) {
    std::string_view method;
    std::uint64_t seq = 0;
    if (!gob::read_plain_request_header(types, id, message, method, seq)) return "declined";
    return std::string(method) + " " + std::to_string(seq);
}

// "method seq" read by the general decoder, or "error".
std::string general(gob::TypeTable& types, gob::TypeId id, std::string_view message) {
    std::vector<std::string_view> msgs{message};
    gob::ValueInput in(msgs);
    gob::Walk w{types, in, false};
    try {
        boost::json::value v = gob::decode_top_value(w, id, gob::request_header_schema());
        return std::string(v.at("ServiceMethod").as_string()) + " " + std::to_string(v.at("Seq").as_uint64());
    } catch (const gob::Error&) {
        return "error";
    }
}

} // namespace

TEST_CASE("gob header: Go's usual request header is read the short way, as the general decoder reads it", "[gob]") {
    gob::TypeTable types = table();
    for (auto [method, seq] : std::vector<std::pair<std::string, std::uint64_t>>{
             {"Arith.Multiply", 1}, {"A.B", 127}, {"A.B", 128}, {"Service.Method", 1ull << 40}, {"x", ~0ull}}) {
        std::string p = payload(method, seq);
        INFO(hex(p));
        std::string want = method + " " + std::to_string(seq);
        CHECK(plain(types, kRequest, p) == want);
        CHECK(general(types, kRequest, p) == want);
    }
}

TEST_CASE("gob header: what the short way cannot read exactly is left to the general decoder", "[gob]") {
    gob::TypeTable types = table();
    std::string usual = payload("Arith.Multiply", 7);
    CHECK(plain(types, 66, usual) == "declined");           // the fields in another order
    CHECK(plain(types, 64 + 40, usual) == "declined");      // an unknown type
    CHECK(plain(types, gob::kString, usual) == "declined"); // a basic type
    CHECK(plain(types, kRequest, bytes("01 03 \"A.B\" 00")) == "declined");     // Seq 0, left out
    CHECK(plain(types, kRequest, bytes("02 07 00")) == "declined");             // no ServiceMethod
    CHECK(plain(types, kRequest, bytes("01 03 \"A.B\" 01 07")) == "declined");  // no closing zero
    CHECK(plain(types, kRequest, usual + "\x01") == "declined");                // bytes after the value
    CHECK(plain(types, kRequest, payload("Caf\xc3\xa9.M", 1)) == "declined");   // not ASCII
    CHECK(plain(types, kRequest, payload("Bad\xff.M", 1)) == "declined");       // not UTF-8 either
    CHECK(plain(types, kRequest, bytes("01 09 \"A.B\" 01 07 00")) == "declined"); // a length past the end
    CHECK(plain(types, kRequest, "") == "declined");
}

TEST_CASE("gob header: every one-byte change of a usual header is declined or read as the general decoder reads it",
          "[gob]") {
    gob::TypeTable types = table();
    const std::string replacements = std::string("\x00\x01\x02\x03\x07\x7f\x80\xfe\xff", 9) + "A.";
    auto agrees = [&](const std::string& p) {
        std::string got = plain(types, kRequest, p);
        if (got == "declined") return;
        INFO(hex(p));
        CHECK(got == general(types, kRequest, p));
    };
    for (std::string seed : {payload("Arith.Multiply", 5), payload("S.M", 300), payload("Svc.Method", 1ull << 33)}) {
        agrees(seed);
        for (std::size_t i = 0; i < seed.size(); ++i) {
            agrees(seed.substr(0, i) + seed.substr(i + 1));
            agrees(seed.substr(0, i + 1) + seed.substr(i));
            for (char c : replacements) agrees(seed.substr(0, i) + c + seed.substr(i + 1));
        }
    }
}

} // namespace unit_gob_plain_header
