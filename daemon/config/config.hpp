// plugrpcd's configuration: the TOML file, with command-line overrides.
//
// Every key is known; an unknown key or a value of the wrong type is an
// error naming the file, line and key. See conf/plugrpcd.toml and
// plugrpcd.toml(5) for what each key means.
#pragma once

#include "daemon/registry/settings.hpp"

#include <plugrpc/server_options.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace plugrpc {

// The daemon's configuration: the server's options ([server], [http],
// [tls], [limits]) and what only the daemon reads.
struct Config : ServerOptions {
    std::filesystem::path file;

    // [plugins]
    std::vector<std::filesystem::path> plugin_dirs{"/usr/lib/plugrpcd/plugins"};
    bool watch = true;
    // Refuse plugin files and folders writable by group or others, or owned
    // by anyone but root or the daemon's own user.
    bool strict_permissions = true;
    // Run plugins in child processes (server/isolate/); [plugin.<name>]
    // isolate overrides it for one plugin.
    bool isolate = false;
    // A plugin whose init has not returned by then is reported failed to
    // load; it is never served (an isolated plugin's process is killed).
    std::chrono::milliseconds init_timeout{std::chrono::seconds(30)};

    // [log]
    std::string log_level = "info";

    // [server] agent_check: where HAProxy's agent check is answered
    // ("tcp://127.0.0.1:1235"); empty: off.
    std::string agent_check;
    // [registry]
    RegistrySettings registry;

    // [plugin.<name>] tables, as JSON, keyed by plugin name: what the
    // plugin's init gets, without the keys the daemon reads itself.
    boost::json::object plugin_configs;

    // What the daemon reads of a [plugin.<name>] table: how it runs.
    struct PluginHosting {
        std::optional<bool> isolate;  // else [plugins] isolate
        std::uint64_t max_memory = 0; // isolated: resident bytes; 0: no bound
        double max_cpu = 0;           // isolated: CPU cores over 10 s; 0: no bound
    };
    std::map<std::string, PluginHosting, std::less<>> plugin_hosting;
    // Whether the plugin named `name` runs isolated.
    bool isolated(std::string_view name) const {
        auto it = plugin_hosting.find(name);
        return it != plugin_hosting.end() && it->second.isolate ? *it->second.isolate : isolate;
    }
};

struct ConfigResult {
    std::optional<Config> config;
    std::string error; // "file:line:col: key: why"
};

ConfigResult load_config(const std::filesystem::path& file);
// `source` names the text in errors.
ConfigResult parse_config(std::string_view text, const std::string& source);

} // namespace plugrpc
