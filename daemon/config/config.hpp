// plugrpcd's configuration: the TOML file, with command-line overrides.
//
// Every key is known; an unknown key or a value of the wrong type is an
// error naming the file, line and key. See conf/plugrpcd.toml and
// plugrpcd.toml(5) for what each key means.
#pragma once

#include "config/cidr.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace plugrpc {

struct ListenAddress {
    enum class Kind { Tcp, Tls, Unix } kind = Kind::Tcp;
    std::string host;  // Tcp, Tls: "127.0.0.1", "::1", "0.0.0.0"
    std::uint16_t port = 0;
    std::string path;  // Unix
    std::string text;  // as written: "tcp://127.0.0.1:1234"
};

// "tcp://host:port", "tcp://[v6]:port", "host:port", "tls://host:port",
// "unix:///path" or "unix:/path".
std::optional<ListenAddress> parse_listen_address(const std::string& text, std::string& why);

struct Limits {
    std::size_t max_message_bytes = 4u << 20;
    unsigned max_json_depth = 64;
    std::size_t max_batch = 1000;
    std::size_t max_connections = 10000;
    std::size_t max_inflight_per_connection = 128;
    std::size_t max_inflight = 100000;
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
    std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
};

struct Config {
    std::filesystem::path file;

    // [server]
    std::vector<ListenAddress> listen;
    std::string rpc_path = "/_goRPC_";
    std::string debug_path = "/debug/rpc";
    unsigned threads = 0;              // 0: one per core
    unsigned blocking_threads = 4;     // pool for methods registered as blocking
    std::chrono::milliseconds drain_timeout{std::chrono::seconds(10)};
    // Under load, serve what arrives within this time in one wake-up
    // (net/io_loop.hpp); 0 wakes for every request.
    std::chrono::microseconds batch_wait{100};

    // [plugins]
    std::vector<std::filesystem::path> plugin_dirs{"/usr/lib/plugrpcd/plugins"};
    bool watch = true;
    // Refuse plugin files and folders writable by group or others, or owned
    // by anyone but root or the daemon's own user.
    bool strict_permissions = true;

    // [http]: who may read the debug page, /metrics and /openrpc.json besides
    // loopback and unix-socket peers.
    std::vector<Cidr> admin_allow;

    // [tls]: the certificate chain and private key (PEM) of tls:// listeners.
    // Relative paths are taken from the config file's folder.
    std::filesystem::path tls_cert_file;
    std::filesystem::path tls_key_file;

    // [log]
    std::string log_level = "info";

    Limits limits;

    // [plugin.<name>] tables, as JSON, keyed by plugin name.
    boost::json::object plugin_configs;

    unsigned io_threads() const;
};

struct ConfigResult {
    std::optional<Config> config;
    std::string error; // "file:line:col: key: why"
};

ConfigResult load_config(const std::filesystem::path& file);
// `source` names the text in errors.
ConfigResult parse_config(std::string_view text, const std::string& source);

} // namespace plugrpc
