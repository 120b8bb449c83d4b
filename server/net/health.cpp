#include "server/net/health.hpp"

namespace plugrpc {

std::string not_ready_reason(const ServeContext& ctx) {
    if (ctx.drain_announced.load() || ctx.draining.load()) return "draining: the server is stopping";
    if (!ctx.serving.load()) return "starting: not every listener is open yet";
    if (ctx.loading.load()) return "starting: plugins are loading";
    auto settings = ctx.settings.load();
    if (!settings || settings->required_services.empty()) return {};
    auto reg = ctx.dispatcher.registry();
    std::string missing;
    for (const auto& name : settings->required_services)
        if (!reg->services().count(name)) missing += (missing.empty() ? "" : ", ") + name;
    if (missing.empty()) return {};
    return "required service" + std::string(missing.find(',') == std::string::npos ? " " : "s ") + missing +
           " not served: no plugin loaded provides it";
}

std::string not_live_reason(const ServeContext& ctx) { return ctx.pulse.stuck(); }

} // namespace plugrpc
