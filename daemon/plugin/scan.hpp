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

struct ScanResult {
    std::shared_ptr<Registry> registry;
    std::vector<PluginFailure> failures; // each also logged
};

// Load every *.so of every folder; a file that fails is logged and skipped.
// `previous` (may be null) lends plugins whose file did not change, so a
// rescan keeps them, their state and their counters. New plugins are freed
// through `unloader` (see loaded_plugin.hpp). With strict_permissions,
// files owned by root or by `daemon_uid` are trusted (default: this
// process's user; plugrpcd -t passes the service's).
ScanResult scan_plugins(const Config& config, const Registry* previous, const Unloader& unloader = {},
                        std::optional<uid_t> daemon_uid = std::nullopt);

} // namespace plugrpc
