// The registry: which services and methods are served, looked up with Go's
// rules and error texts.
#include "server/plugin/loaded_plugin.hpp"
#include "server/registry/openrpc.hpp"
#include "server/registry/registry.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_registry {

using namespace plugrpc;

namespace {

const char* const kIntSchema = R"({"type":"integer","format":"int64"})";

Method method(const std::string& service, const std::string& name) {
    Method m;
    m.service = service;
    m.name = name;
    m.full_name = service + "." + name;
    m.args_schema_text = kIntSchema;
    m.reply_schema_text = kIntSchema;
    auto s = parse_schema(std::string_view(kIntSchema));
    REQUIRE(s.schema);
    m.args = s.schema;
    m.reply = s.schema;
    return m;
}

// A plugin as the loader leaves it: methods registered, `plugin` unset.
std::shared_ptr<LoadedPlugin> plugin(const std::string& file,
                                     const std::vector<std::pair<std::string, std::string>>& methods) {
    auto p = std::make_shared<LoadedPlugin>();
    p->name = std::filesystem::path(file).stem().string();
    p->file = file;
    for (const auto& [service, name] : methods) p->methods.push_back(method(service, name));
    return p;
}

std::shared_ptr<LoadedPlugin> arith() {
    return plugin("/usr/lib/plugrpcd/plugins/arith.so", {{"Arith", "Multiply"}, {"Arith", "Divide"}});
}

Registry with(std::initializer_list<std::shared_ptr<LoadedPlugin>> plugins) {
    Registry r;
    for (const auto& p : plugins) {
        std::string error;
        REQUIRE(r.add_plugin(p, error));
        CHECK(error.empty());
    }
    return r;
}

} // namespace

// ---- lookup ----------------------------------------------------------------------------

TEST_CASE("registry: a registered method is found by Service.Method", "[registry]") {
    auto p = arith();
    Registry r = with({p});
    Lookup l = r.find("Arith.Multiply");
    REQUIRE(l.method);
    CHECK(l.miss == Lookup::Miss::None);
    CHECK(l.error.empty());
    CHECK(l.method->full_name == "Arith.Multiply");
    CHECK(l.method->service == "Arith");
    CHECK(l.method->name == "Multiply");
    CHECK(l.method->plugin == p);
}

TEST_CASE("registry: the name is split at the last dot, so services may contain dots", "[registry]") {
    Registry r = with({plugin("/p/ab.so", {{"a.b", "C"}})});
    Lookup l = r.find("a.b.C");
    REQUIRE(l.method);
    CHECK(l.method->service == "a.b");
    CHECK(l.method->name == "C");
    CHECK(r.services().count("a.b") == 1);

    Lookup other = r.find("a.b.D");
    CHECK_FALSE(other.method);
    CHECK(other.miss == Lookup::Miss::NoMethod);
    CHECK(other.error == "rpc: can't find method a.b.D");

    Lookup shorter = r.find("a.C");
    CHECK(shorter.miss == Lookup::Miss::NoService);
    CHECK(shorter.error == "rpc: can't find service a.C");
}

TEST_CASE("registry: a name without a dot is ill-formed, in Go's words", "[registry]") {
    Registry r = with({arith()});
    Lookup l = r.find("Multiply");
    CHECK_FALSE(l.method);
    CHECK(l.miss == Lookup::Miss::IllFormed);
    CHECK(l.error == "rpc: service/method request ill-formed: Multiply");
    CHECK(r.find("").error == "rpc: service/method request ill-formed: ");
}

TEST_CASE("registry: an unknown service is reported in Go's words", "[registry]") {
    Registry r = with({arith()});
    Lookup l = r.find("Nope.Multiply");
    CHECK_FALSE(l.method);
    CHECK(l.miss == Lookup::Miss::NoService);
    CHECK(l.error == "rpc: can't find service Nope.Multiply");
}

TEST_CASE("registry: an unknown method of a known service is reported in Go's words", "[registry]") {
    Registry r = with({arith()});
    Lookup l = r.find("Arith.Nope");
    CHECK_FALSE(l.method);
    CHECK(l.miss == Lookup::Miss::NoMethod);
    CHECK(l.error == "rpc: can't find method Arith.Nope");
}

TEST_CASE("registry: an empty method or service name is not found", "[registry]") {
    Registry r = with({arith()});
    CHECK(r.find("Arith.").error == "rpc: can't find method Arith.");
    CHECK(r.find(".Multiply").error == "rpc: can't find service .Multiply");
}

TEST_CASE("registry: names are case-sensitive, as in Go", "[registry]") {
    Registry r = with({arith()});
    CHECK(r.find("arith.Multiply").error == "rpc: can't find service arith.Multiply");
    CHECK(r.find("Arith.multiply").error == "rpc: can't find method Arith.multiply");
}

TEST_CASE("registry: an empty registry finds nothing", "[registry]") {
    Registry r;
    CHECK(r.method_count() == 0);
    CHECK(r.services().empty());
    CHECK(r.find("Arith.Multiply").error == "rpc: can't find service Arith.Multiply");
}

// ---- contents ---------------------------------------------------------------------------

TEST_CASE("registry: services and their methods are listed sorted by name", "[registry]") {
    Registry r = with({plugin("/p/z.so", {{"Zeta", "Run"}}), arith()});
    std::vector<std::string> services;
    for (const auto& [name, s] : r.services()) services.push_back(name);
    CHECK(services == std::vector<std::string>{"Arith", "Zeta"});
    std::vector<std::string> methods;
    for (const auto& [name, m] : r.services().at("Arith").methods) methods.push_back(name);
    CHECK(methods == std::vector<std::string>{"Divide", "Multiply"});
    CHECK(r.method_count() == 3);
}

TEST_CASE("registry: every service and method knows the plugin it came from", "[registry]") {
    auto a = arith();
    auto z = plugin("/p/z.so", {{"Zeta", "Run"}});
    Registry r = with({a, z});
    CHECK(r.services().at("Arith").plugin == a);
    CHECK(r.services().at("Zeta").plugin == z);
    CHECK(r.services().at("Zeta").name == "Zeta");
    CHECK(r.find("Zeta.Run").method->plugin->file == "/p/z.so");
    CHECK(r.plugins() == std::vector<std::shared_ptr<LoadedPlugin>>{a, z});
}

TEST_CASE("registry: one plugin may serve several services", "[registry]") {
    Registry r = with({plugin("/p/multi.so", {{"One", "A"}, {"Two", "B"}, {"One", "C"}})});
    CHECK(r.services().size() == 2);
    CHECK(r.services().at("One").methods.size() == 2);
    CHECK(r.find("Two.B").method);
}

TEST_CASE("registry: snapshots built from the same plugin share call counts", "[registry]") {
    auto p = arith();
    Registry first = with({p});
    Registry second = with({p});
    first.find("Arith.Multiply").method->stats->calls += 3;
    CHECK(second.find("Arith.Multiply").method->stats->calls == 3);
    CHECK(second.find("Arith.Divide").method->stats->calls == 0);
}

// ---- conflicts ----------------------------------------------------------------------------

TEST_CASE("registry: a second plugin serving the same service is refused, naming the first file", "[registry]") {
    Registry r = with({arith()});
    auto copy = plugin("/opt/plugins/arith-copy.so", {{"Arith", "Multiply"}});
    std::string error;
    CHECK_FALSE(r.add_plugin(copy, error));
    CHECK(error == "service Arith is already registered by /usr/lib/plugrpcd/plugins/arith.so");
}

TEST_CASE("registry: a refused plugin changes nothing, even its services that did not clash", "[registry]") {
    auto a = arith();
    Registry r = with({a});
    auto clash = plugin("/p/clash.so", {{"Fresh", "Go"}, {"Arith", "Pow"}});
    std::string error;
    CHECK_FALSE(r.add_plugin(clash, error));
    CHECK(error == "service Arith is already registered by /usr/lib/plugrpcd/plugins/arith.so");
    CHECK(r.method_count() == 2);
    CHECK(r.services().size() == 1);
    CHECK(r.plugins() == std::vector<std::shared_ptr<LoadedPlugin>>{a});
    CHECK(r.find("Fresh.Go").miss == Lookup::Miss::NoService);
    CHECK(r.find("Arith.Pow").miss == Lookup::Miss::NoMethod);
    CHECK(r.find("Arith.Multiply").method->plugin == a);
}

TEST_CASE("registry: plugins with different services are all served", "[registry]") {
    Registry r = with({arith(), plugin("/p/echo.so", {{"Echo", "Say"}})});
    CHECK(r.find("Arith.Divide").method);
    CHECK(r.find("Echo.Say").method);
    CHECK(r.method_count() == 3);
}

// ---- reserved names ----------------------------------------------------------------------

TEST_CASE("registry: a plugin serving service rpc is refused: JSON-RPC 2.0 reserves names beginning rpc.", "[registry]") {
    Registry r = with({arith()});
    auto evil = plugin("/p/evil.so", {{"Evil", "Ping"}, {"rpc", "discover"}});
    std::string error;
    CHECK_FALSE(r.add_plugin(evil, error));
    CHECK(error == "service rpc of plugin evil is reserved: JSON-RPC 2.0 reserves method names beginning with "
                   "\"rpc.\" (the daemon answers rpc.discover itself)");
    // Refused whole: its other service is not served either.
    CHECK(r.find("Evil.Ping").miss == Lookup::Miss::NoService);
    CHECK(r.find("rpc.discover").miss == Lookup::Miss::NoService);
    CHECK(r.plugins().size() == 1);
}

TEST_CASE("registry: services under rpc. are reserved too, names that only begin with the letters rpc are not", "[registry]") {
    for (std::string reserved : {"rpc", "rpc.x", "rpc.a.b"}) {
        INFO(reserved);
        Registry r;
        std::string error;
        CHECK_FALSE(r.add_plugin(plugin("/p/r.so", {{reserved, "M"}}), error));
        CHECK(error.rfind("service " + reserved + " of plugin r is reserved", 0) == 0);
    }
    Registry r = with({plugin("/p/ok.so", {{"rpcx", "M"}, {"RPC", "M"}, {"Rpc", "M"}, {"x.rpc", "M"}})});
    CHECK(r.method_count() == 4);
}

// ---- the OpenRPC document ------------------------------------------------------------------

TEST_CASE("openrpc: every served method is listed once, and rpc.discover once", "[registry]") {
    Registry r = with({arith(), plugin("/p/echo.so", {{"Echo", "Say"}, {"a.b", "C"}})});
    boost::json::value doc = openrpc_document(r);
    std::map<std::string, int> seen;
    for (const auto& m : doc.at("methods").as_array()) ++seen[std::string(m.at("name").as_string())];
    CHECK(seen == std::map<std::string, int>{{"Arith.Divide", 1}, {"Arith.Multiply", 1}, {"Echo.Say", 1},
                                             {"a.b.C", 1}, {"rpc.discover", 1}});
}

} // namespace unit_registry
