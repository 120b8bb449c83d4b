// What the program embedding a server knows about itself and the server
// does not — its config file, reloads, the plugins that failed to load —
// for the debug page to show beside the server's own figures (uptime, PID,
// listeners, calls). The program hands a new one to Server::set_program_status
// whenever a fact changes; a server never given one shows its own figures
// and the program's name.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace plugrpc {

// A plugin file that did not load, and why (the loader's exact reason).
struct PluginFailure {
    std::filesystem::path file;
    std::string reason;
};

struct ProgramStatus {
    std::string name;  // "plugrpcd"; empty: the program's own name
    // Shown in order as "key: value" lines at the top of the page, and
    // under "program" in its JSON: {"config file", "/etc/plugrpcd/plugrpcd.toml"}.
    std::vector<std::pair<std::string, std::string>> facts;
    // The plugin files that failed the latest load or rescan.
    std::vector<PluginFailure> failed_plugins;
    // Prometheus text the program adds to /metrics (# HELP, # TYPE and
    // samples), asked each time /metrics is served, on an I/O thread:
    // quick, and safe to call from any thread.
    std::function<std::string()> metrics = nullptr;
};

} // namespace plugrpc
