// Every value type the SDK supports makes the round trip through the
// client library and the daemon unchanged, over JSON and over gob: the
// kitchen plugin's own structs are the client's argument and reply types.
#include "daemon.hpp"

#include <plugrpc/client.hpp>

#include <catch2/catch.hpp>

using namespace plugrpc::test;
namespace client = plugrpc::client;

namespace kitchen {

// As tests/plugins/kitchen/kitchen.cpp declares them.
struct Point {
    std::int32_t X, Y;
    std::string Label;
    bool operator==(const Point&) const = default;
};
BOOST_DESCRIBE_STRUCT(Point, (), (X, Y, Label))

struct Everything {
    bool Flag;
    std::int8_t I8;
    std::int16_t I16;
    std::int32_t I32;
    std::int64_t I64;
    std::uint8_t U8;
    std::uint16_t U16;
    std::uint32_t U32;
    std::uint64_t U64;
    float F32;
    double F64;
    std::string Text;
    std::vector<std::uint8_t> Bytes;
    std::vector<std::int64_t> Ints;
    std::vector<std::uint64_t> Uints;
    std::vector<std::string> Strings;
    std::vector<double> Floats;
    std::vector<float> Floats32;
    std::array<std::int32_t, 3> Triple;
    std::array<std::uint8_t, 4> Quad;
    std::array<bool, 2> Switches;
    std::map<std::string, std::int64_t> Counts;
    std::map<std::int64_t, std::string> Names;
    std::map<std::uint8_t, bool> Flags;
    std::map<std::string, std::vector<std::string>> Groups;
    std::vector<std::vector<std::int32_t>> Matrix;
    Point Origin;
    std::vector<Point> Path;
    std::map<std::string, Point> Places;
    bool operator==(const Everything&) const = default;
};
BOOST_DESCRIBE_STRUCT(Everything, (),
                      (Flag, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, Text, Bytes, Ints, Uints, Strings,
                       Floats, Floats32, Triple, Quad, Switches, Counts, Names, Flags, Groups, Matrix, Origin,
                       Path, Places))

} // namespace kitchen

TEST_CASE("Kitchen.Echo returns every supported type unchanged to a typed client, over json and gob") {
    DaemonOptions o;
    o.plugins = {PLUGRPC_TEST_KITCHEN_PLUGIN};
    Daemon d(o);
    kitchen::Everything e{true, -8, -16, -32, -(std::int64_t(1) << 62), 200, 60000, 4000000000u,
                          18446744073709551615ull, 1.5f, -2.25, "héllo \"world\"", {0, 1, 254, 255},
                          {-1, 0, 1}, {7, 8}, {"a", ""}, {0.5, -1e300}, {3.25f}, {1, -2, 3}, {9, 8, 7, 6},
                          {true, false}, {{"x", 1}, {"y", -2}}, {{-5, "minus five"}, {7, "seven"}},
                          {{1, true}, {2, false}}, {{"g", {"p", "q"}}, {"empty", {}}}, {{1, 2}, {}, {3}},
                          {1, 2, "origin"}, {{3, 4, "a"}, {0, 0, ""}}, {{"home", {5, 6, "h"}}}};
    for (client::Protocol p : {client::Protocol::Json, client::Protocol::Gob}) {
        INFO((p == client::Protocol::Json ? "json" : "gob"));
        client::Options opts;
        opts.protocol = p;
        auto c = client::Client::connect("127.0.0.1:" + std::to_string(d.port()), opts);
        REQUIRE(c.has_value());
        auto r = c->call<kitchen::Everything>("Kitchen.Echo", e);
        INFO((r ? "" : r.error().message));
        REQUIRE(r.has_value());
        CHECK(*r == e);
        CHECK(c->call<kitchen::Everything>("Kitchen.Echo", kitchen::Everything{}).value() == kitchen::Everything{});
        CHECK(c->call<std::int64_t>("Kitchen.Sum", std::vector<std::int64_t>{1, 2, 39}).value() == 42);
    }
}
