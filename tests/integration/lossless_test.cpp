// Values a gob client sends reach a plugin and come back unchanged, through
// the real daemon and the client library over gob: NaN, infinities, -0,
// float32 too, and strings and map keys that are not UTF-8 (abi.h,
// "Values as text"). A plugin of ABI 1.1 gets standard JSON; plain-C
// helpers are exact.
#include "daemon.hpp"

#include <plugrpc/client.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <limits>

using namespace plugrpc::test;
namespace client = plugrpc::client;

namespace lossless {

// As tests/plugins/kitchen/kitchen.cpp declares it: the fields used here
// and every one before them (gob matches fields by name).
struct Point {
    std::int32_t X, Y;
    std::string Label;
};
BOOST_DESCRIBE_STRUCT(Point, (), (X, Y, Label))

struct Everything {
    float F32;
    double F64;
    std::string Text;
    std::vector<std::string> Strings;
    std::vector<double> Floats;
    std::vector<float> Floats32;
    std::map<std::string, std::int64_t> Counts;
    std::map<std::string, Point> Places;
};
BOOST_DESCRIBE_STRUCT(Everything, (), (F32, F64, Text, Strings, Floats, Floats32, Counts, Places))

// Legacy.Echo and Helpers.Echo (tests/plugins/legacy, tests/plugins/helpers).
struct Values {
    double F;
    std::string S;
    std::vector<double> List;
};
BOOST_DESCRIBE_STRUCT(Values, (), (F, S, List))

struct Value {
    double F;
    std::string S;
};
BOOST_DESCRIBE_STRUCT(Value, (), (F, S))

struct FailArgs {
    std::string Message;
};
BOOST_DESCRIBE_STRUCT(FailArgs, (), (Message))

} // namespace lossless

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr float kInf32 = std::numeric_limits<float>::infinity();

template <class F>
auto bits(F f) {
    if constexpr (sizeof(F) == 4) return std::bit_cast<std::uint32_t>(f);
    else return std::bit_cast<std::uint64_t>(f);
}

client::Client gob_client(const Daemon& d) {
    client::Options opts;
    opts.protocol = client::Protocol::Gob;
    auto c = client::Client::connect("127.0.0.1:" + std::to_string(d.port()), opts);
    REQUIRE(c.has_value());
    return std::move(*c);
}

} // namespace

TEST_CASE("lossless over gob: NaN, infinities and -0, float64 and float32, come back from a plugin") {
    DaemonOptions o;
    o.plugins = {PLUGRPC_TEST_KITCHEN_PLUGIN};
    Daemon d(o);
    auto c = gob_client(d);
    lossless::Everything e{};
    e.F32 = -kInf32;
    e.F64 = kNaN;
    e.Floats = {kNaN, kInf, -kInf, -0.0, 5e-324};
    e.Floats32 = {std::numeric_limits<float>::quiet_NaN(), kInf32, -0.0f, 1e-45f};
    auto r = c.call<lossless::Everything>("Kitchen.Echo", e);
    INFO((r ? "" : r.error().message));
    REQUIRE(r.has_value());
    CHECK(r->F32 == -kInf32);
    CHECK(std::isnan(r->F64));
    REQUIRE(r->Floats.size() == 5);
    CHECK(std::isnan(r->Floats[0]));
    CHECK(r->Floats[1] == kInf);
    CHECK(r->Floats[2] == -kInf);
    CHECK(bits(r->Floats[3]) == bits(-0.0));
    CHECK(bits(r->Floats[4]) == bits(5e-324));
    REQUIRE(r->Floats32.size() == 4);
    CHECK(std::isnan(r->Floats32[0]));
    CHECK(r->Floats32[1] == kInf32);
    CHECK(bits(r->Floats32[2]) == bits(-0.0f));
    CHECK(bits(r->Floats32[3]) == bits(1e-45f));
}

TEST_CASE("lossless over gob: strings and map keys that are not UTF-8 come back byte for byte") {
    DaemonOptions o;
    o.plugins = {PLUGRPC_TEST_KITCHEN_PLUGIN};
    Daemon d(o);
    auto c = gob_client(d);
    lossless::Everything e{};
    e.Text = "a\xff" "b\xc3(\xed\xa0\x80";
    e.Strings = {"\x80", "\xef\xbf\xbd", "ok"};
    e.Counts = {{"k\xff", 1}, {"k\xfe", 2}, {"k\xef\xbf\xbd", 3}};
    e.Places = {{"p\xc0", {1, 2, "\xf5"}}};
    auto r = c.call<lossless::Everything>("Kitchen.Echo", e);
    INFO((r ? "" : r.error().message));
    REQUIRE(r.has_value());
    CHECK(r->Text == e.Text);
    CHECK(r->Strings == e.Strings);
    CHECK(r->Counts == e.Counts);
    REQUIRE(r->Places.count("p\xc0") == 1);
    CHECK(r->Places.at("p\xc0").Label == "\xf5");
}

TEST_CASE("lossless over gob: an error text that is not UTF-8 reaches the client byte for byte") {
    DaemonOptions o;
    o.plugins = {PLUGRPC_TEST_KITCHEN_PLUGIN};
    Daemon d(o);
    auto c = gob_client(d);
    auto r = c.call<bool>("Kitchen.Fail", lossless::FailArgs{"bad \xff\xfe"});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == client::ErrorKind::Server);
    CHECK(r.error().message == "bad \xff\xfe");
}

TEST_CASE("lossless over gob: the host's plain-C helpers read and write any double and any bytes") {
    DaemonOptions o;
    o.plugins = {PLUGRPC_TEST_HELPERS_PLUGIN};
    Daemon d(o);
    auto c = gob_client(d);
    for (double f : {kNaN, kInf, -kInf, 1.5}) {
        auto r = c.call<lossless::Value>("Helpers.Echo", lossless::Value{f, "x\xff\xc3y"});
        INFO(f << " " << (r ? "" : r.error().message));
        REQUIRE(r.has_value());
        CHECK((std::isnan(f) ? std::isnan(r->F) : r->F == f));
        CHECK(r->S == "x\xff\xc3y");
    }
}

TEST_CASE("lossless over gob: a plugin of ABI 1.1 is refused NaN with the reason, and reads U+FFFD and -0.0") {
    DaemonOptions o;
    o.plugins = {PLUGRPC_TEST_LEGACY_PLUGIN};
    Daemon d(o);
    auto c = gob_client(d);
    auto refused = c.call<lossless::Values>("Legacy.Echo", lossless::Values{kNaN, "", {}});
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message ==
          "field F: NaN cannot reach this plugin: it reads standard JSON (plugin ABI 1.0 or 1.1; 1.2 reads NaN and "
          "infinities)");
    auto r = c.call<lossless::Values>("Legacy.Echo", lossless::Values{2.5, "a\xff", {-0.0, 1.0}});
    INFO((r ? "" : r.error().message));
    REQUIRE(r.has_value());
    CHECK(r->F == 2.5);
    CHECK(r->S == "a\xef\xbf\xbd");
    REQUIRE(r->List.size() == 2);
    CHECK(bits(r->List[0]) == bits(-0.0));
}
