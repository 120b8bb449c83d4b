// Values across the plugin boundary, through the real host table and
// dispatcher: what a gob client sends (NaN, infinities, -0, strings and map
// keys that are not UTF-8) reaches an SDK method and comes back unchanged;
// a plugin of ABI 1.0/1.1, which reads standard JSON, is refused a NaN
// with the reason and given U+FFFD for stray bytes, as before.
#include "server/plugin/loaded_plugin.hpp"
#include "server/plugin/registrar.hpp"
#include "server/rpc/dispatcher.hpp"
#include "server/rpc/non_finite.hpp"

#include <plugrpc/plugin.hpp>

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

#include <bit>
#include <cmath>
#include <future>
#include <limits>

// Each file in its own namespace: unity builds compile several together.
namespace unit_rpc_lossless {

namespace json = boost::json;

namespace rpc_lossless_test {

struct Values {
    double D = 0;
    float F = 0;
    std::string S;
    std::vector<double> List;
    std::map<std::string, std::int64_t> Keys;
};
BOOST_DESCRIBE_STRUCT(Values, (), (D, F, S, List, Keys))

struct Echo {
    plugrpc::Status Values(const rpc_lossless_test::Values& in, rpc_lossless_test::Values& out) {
        out = in;
        return {};
    }
    plugrpc::Status Fail(const std::string& text, bool&) { return plugrpc::Error(text); }
};
BOOST_DESCRIBE_STRUCT(Echo, (), (Values, Fail))

} // namespace rpc_lossless_test

using namespace plugrpc;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Harness {
    std::shared_ptr<LoadedPlugin> loaded = std::make_shared<LoadedPlugin>();
    plrpc_registrar registrar;
    Plugin sdk{host_table(), &registrar, json::object{}};
    Dispatcher dispatcher{1};

    explicit Harness(TextForm form) {
        loaded->name = "echo";
        loaded->text_form = form;
        registrar.plugin = loaded.get();
        sdk.add<rpc_lossless_test::Echo>();
        REQUIRE_FALSE(sdk.failed());
        auto registry = std::make_shared<Registry>();
        std::string error;
        REQUIRE(registry->add_plugin(loaded, error));
        dispatcher.publish(registry);
    }
    ~Harness() { dispatcher.join(); }

    // As the gob codec calls: the arguments as a value.
    Outcome invoke(std::string_view method, const json::value& args) {
        std::promise<Outcome> p;
        auto f = p.get_future();
        dispatcher.invoke(dispatcher.plugin_method(method), args, [&](Outcome&& o) { p.set_value(std::move(o)); });
        REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        return f.get();
    }
    // As the JSON codecs call: the arguments as parsed from a request.
    Outcome call(std::string_view method, std::string_view params) {
        std::promise<Outcome> p;
        auto f = p.get_future();
        boost::system::error_code ec;
        json::value v = parse_json(params, ec);
        REQUIRE_FALSE(ec);
        dispatcher.call(method, v, ParamsShape::Value, [&](Outcome&& o) { p.set_value(std::move(o)); });
        REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        return f.get();
    }
};

std::uint64_t bits(const json::value& v) { return std::bit_cast<std::uint64_t>(v.as_double()); }

json::value special_values() {
    return json::object{{"D", kNaN},
                        {"F", -kInf},
                        {"S", "a\xff" "b\xc3"},
                        {"List", json::array{-0.0, kInf, 0.5}},
                        {"Keys", json::object{{"k\xff", 1}, {"k\xfe", 2}, {"k\xef\xbf\xbd", 3}}}};
}

} // namespace

TEST_CASE("lossless: NaN, infinities and -0 reach a method and come back", "[rpc]") {
    Harness h(TextForm::Extended);
    Outcome o = h.invoke("Echo.Values", special_values());
    INFO(o.error);
    REQUIRE(o.ok());
    const auto& r = o.result.as_object();
    CHECK(std::isnan(r.at("D").as_double()));
    CHECK(r.at("F").as_double() == -kInf);
    const auto& list = r.at("List").as_array();
    CHECK(bits(list[0]) == std::bit_cast<std::uint64_t>(-0.0));
    CHECK(list[1].as_double() == kInf);
    CHECK(list[2].as_double() == 0.5);
}

TEST_CASE("lossless: strings and map keys that are not UTF-8 come back byte for byte, none merged", "[rpc]") {
    Harness h(TextForm::Extended);
    Outcome o = h.invoke("Echo.Values", special_values());
    REQUIRE(o.ok());
    const auto& r = o.result.as_object();
    CHECK(r.at("S").as_string() == "a\xff" "b\xc3");
    const auto& keys = r.at("Keys").as_object();
    CHECK(keys.size() == 3);
    CHECK(keys.at("k\xff") == 1);
    CHECK(keys.at("k\xfe") == 2);
    CHECK(keys.at("k\xef\xbf\xbd") == 3);
}

TEST_CASE("lossless: an error text that is not UTF-8 reaches the caller byte for byte", "[rpc]") {
    Harness h(TextForm::Extended);
    Outcome o = h.invoke("Echo.Fail", json::string("bad \xff\xfe byte"));
    CHECK(o.kind == Outcome::Kind::MethodError);
    CHECK(o.error == "bad \xff\xfe byte");
}

TEST_CASE("lossless: -0 from a JSON client reaches a float64 as -0.0", "[rpc]") {
    Harness h(TextForm::Extended);
    for (const char* params : {R"({"D":-0,"List":[-0,-0.0]})", R"({"D":-0.0,"List":[-0,-0.0]})"}) {
        Outcome o = h.call("Echo.Values", params);
        INFO(params << " " << o.error);
        REQUIRE(o.ok());
        CHECK(bits(o.result.at("D")) == std::bit_cast<std::uint64_t>(-0.0));
        CHECK(bits(o.result.at("List").at(0)) == std::bit_cast<std::uint64_t>(-0.0));
        CHECK(bits(o.result.at("List").at(1)) == std::bit_cast<std::uint64_t>(-0.0));
    }
}

TEST_CASE("lossless: a number past a double's range from a JSON client is refused, as Go refuses it", "[rpc]") {
    Harness h(TextForm::Extended);
    Outcome o = h.call("Echo.Values", R"({"D":1e400})");
    CHECK(o.kind == Outcome::Kind::InvalidParams);
    CHECK(o.error == "field D: value overflows float64");
}

TEST_CASE("lossless: a plugin of ABI 1.1 is refused a NaN argument, naming the field and why", "[rpc]") {
    Harness h(TextForm::Standard);
    Outcome o = h.invoke("Echo.Values", special_values());
    CHECK(o.kind == Outcome::Kind::InvalidParams);
    CHECK(o.error == "field D: NaN cannot reach this plugin: it reads standard JSON (plugin ABI 1.0 or 1.1; 1.2 "
                     "reads NaN and infinities)");
    json::value inf = special_values();
    inf.as_object()["D"] = 1.0;
    inf.as_object()["F"] = 2.0;
    CHECK(h.invoke("Echo.Values", inf).error.rfind("field List[1]: +Inf cannot reach this plugin", 0) == 0);
}

TEST_CASE("lossless: a plugin of ABI 1.1 gets U+FFFD for stray bytes and -0.0 for -0", "[rpc]") {
    Harness h(TextForm::Standard);
    json::value v = json::object{{"S", "a\xff"}, {"List", json::array{-0.0}}, {"Keys", json::object{{"k\xfe", 1}}}};
    Outcome o = h.invoke("Echo.Values", v);
    INFO(o.error);
    REQUIRE(o.ok());
    CHECK(o.result.at("S").as_string() == "a\xef\xbf\xbd");
    CHECK(bits(o.result.at("List").at(0)) == std::bit_cast<std::uint64_t>(-0.0));
    CHECK(o.result.at("Keys").as_object().contains("k\xef\xbf\xbd"));
}

TEST_CASE("lossless: non_finite_field names the path to the first NaN or infinity", "[rpc]") {
    CHECK(non_finite_field(json::parse(R"({"A":1,"B":[2.5,{"C":3}]})")) == "");
    CHECK(non_finite_field(json::value(kNaN)).rfind("params: NaN cannot reach", 0) == 0);
    CHECK(non_finite_field(json::object{{"A", json::array{1, json::object{{"C", -kInf}}}}})
              .rfind("field A[1].C: -Inf cannot reach", 0) == 0);
}

} // namespace unit_rpc_lossless
