// Building a registry from the plugin folders of a config.
#pragma once

#include "daemon/config/config.hpp"
#include "server/plugin/loaded_plugin.hpp"
#include "server/registry/registry.hpp"

#include <plugrpc/program_status.hpp>

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace plugrpc {

// One plugin file the folders hold, in scan order (folders as configured,
// files by name), with the plugin loaded from it before if the file has
// not changed since.
struct ScanEntry {
    std::filesystem::path file;
    std::shared_ptr<LoadedPlugin> unchanged; // null: to be loaded
};

struct ScanPlan {
    std::vector<ScanEntry> files;
    std::vector<PluginFailure> failures; // folders that cannot be read, files not trusted; each logged
};

// What the plugin folders hold, found without running any plugin code:
// cheap enough for the control thread. With strict_permissions, files owned
// by root or by `daemon_uid` are trusted (default: this process's user).
ScanPlan plan_scan(const Config& config, const Registry* previous, std::optional<uid_t> daemon_uid = std::nullopt);

// Load one plugin file in-process or isolated, as the config says for its
// plugin: this runs the plugin's init (in its child when isolated).
LoadResult load_plugin_file(const Config& config, const std::filesystem::path& file, const Unloader& unloader);

// The plugin `registry` (may be null) serves from `file`, whatever the
// file holds now; null if none.
std::shared_ptr<LoadedPlugin> loaded_from(const Registry* registry, const std::filesystem::path& file);

// A registry of `plugins`, added in their order: a plugin that cannot be
// added (one of its services is another's, or reserved) is left out, with why.
struct Composed {
    std::shared_ptr<Registry> registry;
    std::vector<std::pair<std::shared_ptr<LoadedPlugin>, std::string>> refused;
};
Composed compose_registry(const std::vector<std::shared_ptr<LoadedPlugin>>& plugins);

// "loaded plugin arith 1.0.0 from FILE: Arith (2 methods)".
void log_loaded(const LoadedPlugin& plugin);

struct ScanResult {
    std::shared_ptr<Registry> registry;
    std::vector<PluginFailure> failures; // each also logged
};

// Load every *.so of every folder, one after the other, on the caller's
// thread (plugrpcd -t; the daemon loads on threads of their own,
// plugin/plugin_loads.hpp); a file that fails is logged and skipped.
// `previous` (may be null) lends plugins whose file did not change, so a
// rescan keeps them, their state and their counters. New plugins are freed
// through `unloader` (see loaded_plugin.hpp). With strict_permissions,
// files owned by root or by `daemon_uid` are trusted (default: this
// process's user; plugrpcd -t passes the service's).
ScanResult scan_plugins(const Config& config, const Registry* previous, const Unloader& unloader = {},
                        std::optional<uid_t> daemon_uid = std::nullopt);

} // namespace plugrpc
