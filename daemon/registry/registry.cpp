#include "registry/registry.hpp"

#include "plugin/loaded_plugin.hpp"

namespace plugrpc {

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

bool Registry::add_plugin(const std::shared_ptr<LoadedPlugin>& plugin, std::string& error) {
    for (const auto& def : plugin->methods) {
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
