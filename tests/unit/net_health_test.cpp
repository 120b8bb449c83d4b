// /readyz's reasons (net/health.hpp), from the server's state alone.
#include "server/net/health.hpp"
#include "server/plugin/loaded_plugin.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_net_health {

using namespace plugrpc;

TEST_CASE("readiness: starting until serving and loaded, then ready, a missing required service, draining first of all",
          "[net]") {
    Dispatcher dispatcher(1, 1);
    dispatcher.publish(std::make_shared<Registry>());
    ServeContext ctx(dispatcher);
    auto settings = std::make_shared<Settings>();
    ctx.settings.store(settings);
    CHECK(not_ready_reason(ctx) == "starting: not every listener is open yet");
    ctx.serving.store(true);
    CHECK(not_ready_reason(ctx).empty());
    ctx.loading.store(true); // a program's start-up plugin loads
    CHECK(not_ready_reason(ctx) == "starting: plugins are loading");
    ctx.loading.store(false);

    auto required = std::make_shared<Settings>();
    required->required_services = {"Arith", "Slow"};
    ctx.settings.store(required);
    CHECK(not_ready_reason(ctx) == "required services Arith, Slow not served: no plugin loaded provides it");

    auto plugin = std::make_shared<LoadedPlugin>();
    plugin->name = "arith";
    plugin->file = "/plugins/arith.so";
    Method m;
    m.service = "Arith";
    m.name = "Multiply";
    m.full_name = "Arith.Multiply";
    m.args_schema_text = m.reply_schema_text = R"({"type":"integer","format":"int64"})";
    m.args = m.reply = parse_schema(m.args_schema_text).schema;
    plugin->methods.push_back(m);
    auto registry = std::make_shared<Registry>();
    std::string error;
    REQUIRE(registry->add_plugin(plugin, error));
    dispatcher.publish(registry);
    CHECK(not_ready_reason(ctx) == "required service Slow not served: no plugin loaded provides it");

    ctx.drain_announced.store(true);
    CHECK(not_ready_reason(ctx) == "draining: the server is stopping");
    CHECK(not_live_reason(ctx).empty()); // no loops pulsed: nothing to say
    dispatcher.join();
}

} // namespace unit_net_health
