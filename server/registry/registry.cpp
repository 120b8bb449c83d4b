#include "server/registry/registry.hpp"

#include "server/plugin/loaded_plugin.hpp"

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
    std::uint64_t total = 0;
    for (const auto& b : buckets) total += b.load(std::memory_order_relaxed);
    if (total == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * double(total) + 0.5);
    if (rank == 0) rank = 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        seen += buckets[i].load(std::memory_order_relaxed);
        if (seen >= rank) return i < kLatencyBounds.size() ? kLatencyBounds[i] : kLatencyBounds.back() * 2;
    }
    return kLatencyBounds.back() * 2;
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
