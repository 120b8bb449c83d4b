// The SDK's direct reader (json_read.hpp): it takes the common shapes of
// arguments itself, declines the rest, and json_parse_into gives exactly
// what the full way (parse, then from_json) gives, for texts good and bad.
#include <plugrpc/json.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_sdk_json_read {

namespace sdk_json_read_test {

struct Args {
    std::int64_t A = 0;
    std::int64_t B = 0;
};
BOOST_DESCRIBE_STRUCT(Args, (), (A, B))

struct Item {
    std::string Name;
    bool On = false;
    std::vector<std::uint16_t> Ports;
};
BOOST_DESCRIBE_STRUCT(Item, (), (Name, On, Ports))

struct Mixed {
    std::int8_t Small = 0;
    std::uint32_t Count = 0;
    std::string Text;
    std::array<std::int32_t, 3> Fixed{};
    Item One;
    std::vector<Item> Many;
    double Ratio = 0;                  // declined: a float
    std::map<std::string, int> ByName; // declined: a map
    std::vector<std::uint8_t> Data;    // declined: bytes (base64)
};
BOOST_DESCRIBE_STRUCT(Mixed, (), (Small, Count, Text, Fixed, One, Many, Ratio, ByName, Data))

} // namespace sdk_json_read_test

using namespace sdk_json_read_test;

namespace {

template <class T>
bool full_way(std::string_view text, T& out, std::string& why) {
    boost::system::error_code ec;
    boost::json::value v = plugrpc::parse_json(text, ec);
    if (ec) { // the host's extended form (abi.h) is read on a second try
        std::string extended_why;
        v = plugrpc::parse_extended_json(text, extended_why);
        if (!extended_why.empty()) return why = "not JSON: " + ec.message(), false;
    }
    return plugrpc::from_json(v, out, why);
}

// json_parse_into and the full way agree on `text`: both fail with the same
// reason, or both give the same value.
template <class T>
void agree(const std::string& text) {
    T fast{}, full{};
    std::string why_fast, why_full;
    bool ok_fast = plugrpc::json_parse_into(text, fast, why_fast);
    bool ok_full = full_way(text, full, why_full);
    INFO(text);
    REQUIRE(ok_fast == ok_full);
    if (ok_full) CHECK(plugrpc::to_json(fast) == plugrpc::to_json(full));
    else CHECK(why_fast == why_full);
}

// Each seed, and the seed with each byte dropped, doubled, or replaced by
// a byte that matters to JSON.
template <class T>
void agree_with_mutations(const std::string& seed) {
    agree<T>(seed);
    const std::string replacements = "\"{}[],:0-9.eE\\ xtn\x01\xc3";
    for (std::size_t i = 0; i < seed.size(); ++i) {
        agree<T>(seed.substr(0, i) + seed.substr(i + 1));
        agree<T>(seed.substr(0, i + 1) + seed.substr(i));
        for (char c : replacements) agree<T>(seed.substr(0, i) + c + seed.substr(i + 1));
    }
}

} // namespace

TEST_CASE("sdk: the direct reader takes integers, booleans, plain strings, arrays and structs", "[sdk]") {
    Args a;
    REQUIRE(plugrpc::json_read(R"({"A":7,"B":-8})", a));
    CHECK(a.A == 7);
    CHECK(a.B == -8);
    REQUIRE(plugrpc::json_read(" { \"B\" : 9223372036854775807 , \"A\" : -9223372036854775808 } ", a));
    CHECK(a.A == INT64_MIN);
    CHECK(a.B == INT64_MAX);

    Mixed m;
    REQUIRE(plugrpc::json_read(R"({"Small":-128,"Count":4294967295,"Text":"plain text","Fixed":[1,2],)"
                               R"("One":{"Name":"a","On":true,"Ports":[80,443]},"Many":[{"Name":"b"},{}]})",
                               m));
    CHECK(m.Small == -128);
    CHECK(m.Count == 4294967295u);
    CHECK(m.Text == "plain text");
    CHECK(m.Fixed == std::array<std::int32_t, 3>{1, 2, 0});
    CHECK(m.One.Name == "a");
    CHECK(m.One.On);
    CHECK(m.One.Ports == std::vector<std::uint16_t>{80, 443});
    REQUIRE(m.Many.size() == 2);
    CHECK(m.Many[0].Name == "b");
    CHECK(m.Many[1].Name.empty());
}

TEST_CASE("sdk: the direct reader declines what the full way must judge", "[sdk]") {
    auto declines = [](const std::string& text) {
        Mixed m;
        INFO(text);
        CHECK_FALSE(plugrpc::json_read(text, m));
    };
    declines(R"({"Ratio":0.5})");      // a float
    declines(R"({"Count":1.0})");      // an integral double
    declines(R"({"Count":1e3})");      // an exponent
    declines(R"({"ByName":{}})");      // a map
    declines(R"({"Data":"AQID"})");    // bytes
    declines(R"({"Text":"a\"b"})");    // an escape
    declines("{\"Text\":\"\xc3\xa9\"}"); // not ASCII
    declines(R"({"Text":null})");      // null
    declines(R"({"Nope":1})");         // a key Mixed lacks
    declines(R"({"Small":1,"Small":2})"); // a key twice
    declines(R"({"Small":128})");      // past int8
    declines(R"({"Count":-1})");       // negative into unsigned
    declines(R"({"Count":01})");       // a leading zero
    declines(R"({"Small":-0})");       // -0
    declines(R"({"Fixed":[1,2,3,4]})"); // past the array
    declines(R"({"Small":1} x)");      // trailing bytes
    declines(R"({"Small":1)");         // cut short
    declines("");
}

TEST_CASE("sdk: json_parse_into gives what the full way gives, for good texts and their mutations", "[sdk]") {
    agree_with_mutations<Args>(R"({"A":7,"B":-8})");
    agree_with_mutations<Args>(R"({"A":18446744073709551615,"B":-0})");
    agree_with_mutations<Mixed>(R"({"Small":-1,"Count":3,"Text":"t","Fixed":[1,2,3]})");
    agree_with_mutations<Mixed>(R"({"One":{"Name":"n","On":false,"Ports":[1]},"Many":[{"On":true},{}]})");
    agree_with_mutations<Mixed>(R"({"Ratio":2.5,"ByName":{"k":1},"Data":"AQ=="})");
    agree_with_mutations<std::vector<Args>>(R"([{"A":1},{"B":2}])");
    agree_with_mutations<std::array<bool, 2>>("[true,false]");
}

TEST_CASE("sdk: a field the text leaves out keeps its value, on the direct way too", "[sdk]") {
    Args a{1, 2};
    std::string why;
    REQUIRE(plugrpc::json_parse_into(R"({"B":5})", a, why));
    CHECK(a.A == 1);
    CHECK(a.B == 5);
    Item it;
    it.Ports = {1, 2, 3};
    REQUIRE(plugrpc::json_parse_into(R"({"Ports":[9]})", it, why));
    CHECK(it.Ports == std::vector<std::uint16_t>{9});
}

} // namespace unit_sdk_json_read
