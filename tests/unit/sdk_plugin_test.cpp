// The C++ plugin SDK on the real host table: a service type registers its
// described methods, and calls through the dispatcher reach them, without
// loading a shared object.
#include "server/plugin/loaded_plugin.hpp"
#include "server/plugin/registrar.hpp"
#include "server/rpc/dispatcher.hpp"

#include <plugrpc/plugin.hpp>

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <future>
#include <stdexcept>

// Each file in its own namespace: unity builds compile several together.
namespace unit_sdk_plugin {

namespace json = boost::json;

namespace sdk_plugin_test {

struct Args {
    std::int64_t A = 0;
    std::int64_t B = 0;
};
BOOST_DESCRIBE_STRUCT(Args, (), (A, B))

struct Quotient {
    std::int64_t Quo = 0;
    std::int64_t Rem = 0;
};
BOOST_DESCRIBE_STRUCT(Quotient, (), (Quo, Rem))

struct Arith {
    plugrpc::Status Multiply(const Args& args, std::int64_t& reply) {
        reply = args.A * args.B;
        return {};
    }
    plugrpc::Status Divide(const Args& args, Quotient& q) {
        if (args.B == 0) return plugrpc::Error("divide by zero");
        q.Quo = args.A / args.B;
        q.Rem = args.A % args.B;
        return {};
    }
    plugrpc::Status Throw(const Args&, std::int64_t&) { throw std::runtime_error("boom"); }
    plugrpc::Status ThrowInt(const Args&, std::int64_t&) { throw 42; }
};
BOOST_DESCRIBE_STRUCT(Arith, (), (Multiply, Divide, Throw, ThrowInt))

} // namespace sdk_plugin_test

using namespace plugrpc;
using sdk_plugin_test::Arith;

namespace {

// A plugin registered through the SDK into the host's registrar, served by
// a dispatcher.
struct Harness {
    std::shared_ptr<LoadedPlugin> loaded = std::make_shared<LoadedPlugin>();
    plrpc_registrar registrar;
    Plugin sdk{host_table(), &registrar, json::object{{"scale", 3}}};
    Dispatcher dispatcher{1};

    explicit Harness(ServiceOptions opt = {}) {
        loaded->name = "arith";
        loaded->file = "/plugins/arith.so";
        registrar.plugin = loaded.get();
        sdk.add<Arith>(std::move(opt));
        INFO(registrar.error);
        REQUIRE_FALSE(sdk.failed());
        auto registry = std::make_shared<Registry>();
        std::string error;
        REQUIRE(registry->add_plugin(loaded, error));
        dispatcher.publish(registry);
    }

    ~Harness() { dispatcher.join(); }

    Outcome call(std::string_view method, std::string_view params) {
        std::promise<Outcome> p;
        auto f = p.get_future();
        dispatcher.call(method, json::parse(params), ParamsShape::Value, [&](Outcome&& o) { p.set_value(std::move(o)); });
        REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        return f.get();
    }
};

} // namespace

TEST_CASE("sdk plugin: every described method of a service is registered as Service.Method", "[sdk]") {
    Harness h;
    std::vector<std::string> names;
    for (const auto& m : h.loaded->methods) names.push_back(m.full_name);
    CHECK(names == std::vector<std::string>{"Arith.Multiply", "Arith.Divide", "Arith.Throw", "Arith.ThrowInt"});
}

TEST_CASE("sdk plugin: methods register the schemas of their argument and reply types", "[sdk]") {
    Harness h;
    const Method& divide = h.loaded->methods[1];
    CHECK(divide.args_schema_text == json::serialize(schema_of<sdk_plugin_test::Args>()));
    CHECK(divide.reply_schema_text == json::serialize(schema_of<sdk_plugin_test::Quotient>()));
    CHECK(type_name(*divide.args) == "Args");
    CHECK(type_name(*divide.reply) == "Quotient");
    CHECK(type_name(*h.loaded->methods[0].reply) == "int64");
}

TEST_CASE("sdk plugin: a method's reply comes back as JSON", "[sdk]") {
    Harness h;
    Outcome o = h.call("Arith.Multiply", R"({"A":7,"B":8})");
    REQUIRE(o.ok());
    CHECK(json::serialize(o.result) == "56");
    Outcome q = h.call("Arith.Divide", R"({"A":17,"B":8})");
    REQUIRE(q.ok());
    CHECK(json::serialize(q.result) == R"({"Quo":2,"Rem":1})");
}

TEST_CASE("sdk plugin: an error status reaches the caller verbatim", "[sdk]") {
    Harness h;
    Outcome o = h.call("Arith.Divide", R"({"A":1,"B":0})");
    CHECK(o.kind == Outcome::Kind::MethodError);
    CHECK(o.error == "divide by zero");
}

TEST_CASE("sdk plugin: an exception thrown by a method becomes an error reply", "[sdk]") {
    Harness h;
    Outcome o = h.call("Arith.Throw", "{}");
    CHECK(o.kind == Outcome::Kind::MethodError);
    CHECK(o.error == "boom");
    Outcome n = h.call("Arith.ThrowInt", "{}");
    CHECK(n.kind == Outcome::Kind::MethodError);
    CHECK(n.error == "method threw an exception");
}

TEST_CASE("sdk plugin: the service name can be chosen, and methods marked blocking", "[sdk]") {
    Harness h(ServiceOptions{"Calc", {"Divide"}});
    REQUIRE(h.loaded->methods.size() == 4);
    CHECK(h.loaded->methods[0].full_name == "Calc.Multiply");
    CHECK_FALSE(h.loaded->methods[0].blocking());
    CHECK(h.loaded->methods[1].blocking());
    Outcome q = h.call("Calc.Divide", R"({"A":9,"B":2})");
    REQUIRE(q.ok());
    CHECK(json::serialize(q.result) == R"({"Quo":4,"Rem":1})");
}

TEST_CASE("sdk plugin: the plugin sees its config table", "[sdk]") {
    Harness h;
    CHECK(json::serialize(h.sdk.config()) == R"({"scale":3})");
}

TEST_CASE("sdk plugin: a service name the host refuses makes the plugin fail", "[sdk]") {
    auto loaded = std::make_shared<LoadedPlugin>();
    plrpc_registrar registrar;
    registrar.plugin = loaded.get();
    Plugin sdk(host_table(), &registrar, {});
    sdk.add<Arith>(ServiceOptions{"Bad Name", {}});
    CHECK(sdk.failed());
    CHECK(registrar.error == "register_method: invalid service name (letters, digits, '_' and inner dots)");
    CHECK(loaded->methods.empty());
}

TEST_CASE("sdk plugin: a method registered twice is refused, naming it, and kept once", "[sdk]") {
    auto loaded = std::make_shared<LoadedPlugin>();
    plrpc_registrar registrar;
    registrar.plugin = loaded.get();
    Plugin sdk(host_table(), &registrar, {});
    sdk.add<Arith>();
    REQUIRE_FALSE(sdk.failed());
    std::size_t once = loaded->methods.size();
    REQUIRE(once > 0);
    sdk.add<Arith>();
    CHECK(sdk.failed());
    CHECK(registrar.error == loaded->methods.front().full_name + ": registered twice");
    CHECK(loaded->methods.size() == once);
    // Another service's methods of the same names are not the same methods.
    plrpc_registrar other;
    auto second = std::make_shared<LoadedPlugin>();
    other.plugin = second.get();
    Plugin sdk2(host_table(), &other, {});
    sdk2.add<Arith>();
    sdk2.add<Arith>(ServiceOptions{"Arith2", {}});
    CHECK_FALSE(sdk2.failed());
    CHECK(second->methods.size() == 2 * once);
}

} // namespace unit_sdk_plugin
