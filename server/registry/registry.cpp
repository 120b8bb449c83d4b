#include "server/registry/registry.hpp"

#include "server/plugin/loaded_plugin.hpp"
#include "server/registry/latency_quantile.hpp"

namespace plugrpc {

void MethodStats::record(std::uint64_t ns, bool error) {
    calls.fetch_add(1, std::memory_order_relaxed);
    if (error) errors.fetch_add(1, std::memory_order_relaxed);
    total_ns.fetch_add(ns, std::memory_order_relaxed);
    double s = double(ns) * 1e-9;
    std::size_t i = 0;
    while (i < kLatencyBounds.size() && s > kLatencyBounds[i]) ++i;
    buckets[i].fetch_add(1, std::memory_order_relaxed);
}

double MethodStats::quantile(double q) const {
    std::array<std::uint64_t, kLatencyBounds.size() + 1> counts{};
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = buckets[i].load(std::memory_order_relaxed);
    return latency_quantile(kLatencyBounds, counts, q);
}

Lookup Registry::find(std::string_view service_method) const {
    Lookup r;
    auto dot = service_method.rfind('.');
    if (dot == std::string_view::npos) {
        r.miss = Lookup::Miss::IllFormed;
        r.error = "rpc: service/method request ill-formed: " + std::string(service_method);
        return r;
    }
    if (auto it = by_full_name_.find(service_method); it != by_full_name_.end()) {
        r.method = it->second;
        return r;
    }
    bool has_service = services_.find(service_method.substr(0, dot)) != services_.end();
    r.miss = has_service ? Lookup::Miss::NoMethod : Lookup::Miss::NoService;
    r.error = (has_service ? "rpc: can't find method " : "rpc: can't find service ") +
              std::string(service_method);
    return r;
}

bool reserved_service(std::string_view service) { return service == "rpc" || service.substr(0, 4) == "rpc."; }

bool Registry::add_plugin(const std::shared_ptr<LoadedPlugin>& plugin, std::string& error) {
    for (const auto& def : plugin->methods) {
        if (reserved_service(def.service)) {
            error = "service " + def.service + " of plugin " + plugin->name +
                    " is reserved: JSON-RPC 2.0 reserves method names beginning with \"rpc.\" (the daemon "
                    "answers rpc.discover itself)";
            return false;
        }
        auto it = services_.find(def.service);
        if (it != services_.end() && it->second.plugin != plugin) {
            error = "service " + def.service + " is already registered by " + it->second.plugin->file.string();
            return false;
        }
    }
    for (const auto& def : plugin->methods) {
        auto m = std::make_shared<Method>(def);
        m->plugin = plugin;
        Service& s = services_[def.service];
        s.name = def.service;
        s.plugin = plugin;
        s.methods[def.name] = m;
        by_full_name_[m->full_name] = m;
    }
    plugins_.push_back(plugin);
    return true;
}

} // namespace plugrpc
