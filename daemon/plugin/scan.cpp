#include "plugin/scan.hpp"

#include "plugin/loaded_plugin.hpp"

#include <spdlog/spdlog.h>

#include <set>
#include <sys/stat.h>

namespace plugrpc {

namespace {

std::shared_ptr<LoadedPlugin> unchanged(const Registry* previous, const std::filesystem::path& file) {
    if (!previous) return nullptr;
    struct stat st{};
    if (::stat(file.c_str(), &st) != 0) return nullptr;
    FileIdentity id{st.st_dev, st.st_ino, std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    for (const auto& p : previous->plugins())
        if (p->file == file && p->identity == id) return p;
    return nullptr;
}

} // namespace

ScanResult scan_plugins(const Config& config, const Registry* previous) {
    ScanResult r;
    r.registry = std::make_shared<Registry>();
    auto failed = [&](const std::filesystem::path& file, const std::string& why) {
        spdlog::error("plugin {} skipped: {}", file.string(), why);
        r.failures.push_back(file.string() + ": " + why);
    };
    for (const auto& dir : config.plugin_dirs) {
        std::string error;
        auto files = list_plugin_files(dir, error);
        if (!error.empty()) {
            failed(dir, "cannot read plugin folder: " + error);
            continue;
        }
        for (const auto& file : files) {
            std::shared_ptr<LoadedPlugin> plugin = unchanged(previous, file);
            bool fresh = !plugin;
            if (fresh) {
                LoadResult loaded = load_plugin(file, config.plugin_configs);
                if (!loaded.plugin) {
                    failed(file, loaded.error);
                    continue;
                }
                plugin = std::move(loaded.plugin);
            }
            if (!r.registry->add_plugin(plugin, error)) {
                failed(file, error);
                continue;
            }
            if (!fresh) continue;
            std::set<std::string> names;
            for (const auto& m : plugin->methods) names.insert(m.service);
            std::string services;
            for (const auto& n : names) services += (services.empty() ? "" : ", ") + n;
            spdlog::info("loaded plugin {} {} from {}: {} ({} methods)", plugin->name, plugin->version,
                         file.string(), services, plugin->methods.size());
        }
    }
    return r;
}

} // namespace plugrpc
