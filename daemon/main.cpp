// plugrpcd: load service plugins and serve their methods over Go's net/rpc
// protocols, JSON-RPC and HTTP, all on one port.
#include "daemon/config/config.hpp"
#include "daemon/log/logging.hpp"
#include "server/net/tls_front.hpp"
#include "server/plugin/loaded_plugin.hpp"
#include "daemon/plugin/scan.hpp"
#include "daemon/service/check_as_service.hpp"
#include "daemon/service/daemon.hpp"
#include "daemon/service/reload_status.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr const char* kDefaultConfig = "/etc/plugrpcd/plugrpcd.toml";
// User= of plugrpcd.service.
constexpr const char* kServiceUser = "plugrpcd";
// A configuration that cannot be served (sysexits' EX_CONFIG): the unit's
// RestartPreventExitStatus, so systemd does not restart into it forever.
constexpr int kExitConfig = 78;

void usage(std::FILE* out) {
    std::fprintf(out,
                 "Usage: plugrpcd [OPTIONS]\n"
                 "       plugrpcd reload --pid PID [--runtime-dir DIR] [--timeout SECONDS]\n"
                 "\n"
                 "Serve the methods of service plugins (*.so) over Go's net/rpc gob protocol,\n"
                 "JSON-RPC (Go's jsonrpc codec and JSON-RPC 2.0) and HTTP, all on one port.\n"
                 "\n"
                 "Options:\n"
                 "  -c, --config FILE      configuration file (default %s)\n"
                 "  -l, --listen ADDR      serve on ADDR instead of [server] listen; repeatable.\n"
                 "                         tcp://HOST:PORT, HOST:PORT or unix:///PATH\n"
                 "  -p, --plugin-dir DIR   load plugins from DIR instead of [plugins] dirs; repeatable\n"
                 "      --log-level LEVEL  trace, debug, info, warn, error (overrides [log] level)\n"
                 "  -t, --check-config     check the configuration and plugins, print what would be\n"
                 "                         served, and exit: 0 if all is well, 1 otherwise. Run as\n"
                 "                         root, it also checks as the service would run: that the\n"
                 "                         service user can read the config, TLS files and plugins,\n"
                 "                         and that none lies where plugrpcd.service's sandbox hides\n"
                 "                         it (/home, /root, /run/user, /tmp, /var/tmp)\n"
                 "      --as-user USER     with -t: the service's user (default %s)\n"
                 "      --runtime-dir DIR  where the outcome of each reload is written for\n"
                 "                         `plugrpcd reload` (default $RUNTIME_DIRECTORY)\n"
                 "  -h, --help             show this help and exit\n"
                 "  -V, --version          show the version and exit\n"
                 "\n"
                 "reload: send SIGHUP to the daemon PID and wait for its outcome; exit 0 when the\n"
                 "new configuration took effect, 1 when it was rejected (the running one stays)\n"
                 "or no outcome came within --timeout (default 60), 2 when the daemon could not be\n"
                 "asked. systemd's ExecReload runs it, so `systemctl reload` tells the truth.\n"
                 "\n"
                 "Exit status: 0 stopped gracefully; 1 a listener could not be opened; 78 the\n"
                 "configuration cannot be served; 2 wrong usage.\n"
                 "\n"
                 "Signals: SIGHUP reloads the configuration and rescans the plugin folders;\n"
                 "SIGTERM/SIGINT stop gracefully, answering every call already received.\n"
                 "See plugrpcd(8) and plugrpcd.toml(5).\n",
                 kDefaultConfig, kServiceUser);
}

struct Options {
    std::string config = kDefaultConfig;
    std::vector<std::string> listen;
    std::vector<std::string> plugin_dirs;
    std::optional<std::string> log_level;
    std::string runtime_dir;
    bool check = false;
    std::string as_user = kServiceUser;
    bool as_user_named = false;
};

// Returns an exit code when the program should stop now.
std::optional<int> parse_args(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        std::string value;
        bool has_value = false;
        if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_value = true;
        }
        auto need = [&](const char* name) -> bool {
            if (has_value) return true;
            if (i + 1 >= argc) {
                std::fprintf(stderr, "plugrpcd: %s needs a value (see --help)\n", name);
                return false;
            }
            value = argv[++i];
            return true;
        };
        if (a == "-h" || a == "--help") return usage(stdout), 0;
        if (a == "-V" || a == "--version") return std::printf("plugrpcd %s (plugin ABI %d.%d)\n", PLUGRPC_VERSION,
                                                              PLRPC_ABI_MAJOR, PLRPC_ABI_MINOR), 0;
        if (a == "-t" || a == "--check-config") { o.check = true; continue; }
        if (a == "-c" || a == "--config") { if (!need("--config")) return 2; o.config = value; continue; }
        if (a == "-l" || a == "--listen") { if (!need("--listen")) return 2; o.listen.push_back(value); continue; }
        if (a == "-p" || a == "--plugin-dir") { if (!need("--plugin-dir")) return 2; o.plugin_dirs.push_back(value); continue; }
        if (a == "--log-level") { if (!need("--log-level")) return 2; o.log_level = value; continue; }
        if (a == "--runtime-dir") { if (!need("--runtime-dir")) return 2; o.runtime_dir = value; continue; }
        if (a == "--as-user") { if (!need("--as-user")) return 2; o.as_user = value; o.as_user_named = true; continue; }
        std::fprintf(stderr, "plugrpcd: unknown option %s (see --help)\n", argv[i]);
        return 2;
    }
    if (o.as_user_named && !o.check) {
        std::fprintf(stderr, "plugrpcd: --as-user goes with -t (see --help)\n");
        return 2;
    }
    return std::nullopt;
}

// Command-line flags override the file.
bool apply_flags(const Options& o, plugrpc::Config& c) {
    if (!o.listen.empty()) {
        c.listen.clear();
        for (const auto& text : o.listen) {
            std::string why;
            auto a = plugrpc::parse_listen_address(text, why);
            if (!a) {
                std::fprintf(stderr, "plugrpcd: --listen %s: %s\n", text.c_str(), why.c_str());
                return false;
            }
            c.listen.push_back(*a);
        }
    }
    if (!o.plugin_dirs.empty()) c.plugin_dirs.assign(o.plugin_dirs.begin(), o.plugin_dirs.end());
    if (o.log_level) {
        static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
        if (std::none_of(std::begin(levels), std::end(levels), [&](const char* l) { return *o.log_level == l; })) {
            std::fprintf(stderr, "plugrpcd: --log-level %s: unknown level\n", o.log_level->c_str());
            return false;
        }
        c.log_level = *o.log_level;
    }
    std::string why;
    if (c.registry.enabled() && c.registry.advertise.empty() && plugrpc::default_advertise(c.listen, why).empty()) {
        std::fprintf(stderr, "plugrpcd: %s: registry.advertise: %s\n", c.file.c_str(), why.c_str());
        return false;
    }
    return true;
}

void print_plan(const plugrpc::Config& c, const plugrpc::Registry& reg) {
    std::printf("configuration %s is valid\n", c.file.c_str());
    for (const auto& l : c.listen) std::printf("listen: %s\n", l.text.c_str());
    if (!c.tls_cert_file.empty())
        std::printf("tls: certificate %s, key %s\n", c.tls_cert_file.c_str(), c.tls_key_file.c_str());
    if (!c.tls_client_ca.empty())
        std::printf("tls: client certificates verified against %s (%s)\n", c.tls_client_ca.c_str(),
                    c.tls_client_auth == plugrpc::ServerOptions::ClientAuth::Require ? "required" : "optional");
    for (const auto& p : c.proxy_protocol) {
        std::string trusted;
        for (const auto& r : c.proxy_trusted) trusted += (trusted.empty() ? "" : ", ") + r.network.to_string() + "/" + std::to_string(r.prefix);
        std::printf("proxy protocol: %s, from %s\n", p.text.c_str(), trusted.c_str());
    }
    for (const auto& [name, rules] : c.access) {
        std::string allow;
        for (const auto& r : rules) allow += (allow.empty() ? "" : ", ") + r.text;
        std::printf("access: %s allowed to %s\n", name.c_str(), allow.empty() ? "nobody" : allow.c_str());
    }
    std::printf("rpc path: %s\ndebug path: %s\n", c.rpc_path.c_str(), c.debug_path.c_str());
    if (c.registry.enabled()) {
        std::string endpoints, why;
        for (const auto& e : c.registry.etcd) endpoints += (endpoints.empty() ? "" : ", ") + e;
        std::string advertise = c.registry.advertise.empty() ? plugrpc::default_advertise(c.listen, why)
                                                             : plugrpc::parse_advertise(c.registry.advertise, why);
        std::printf("registry: etcd %s, keys %s/<Service>/%s, ttl %llds\n", endpoints.c_str(), c.registry.prefix.c_str(),
                    advertise.c_str(), static_cast<long long>(c.registry.ttl.count()));
    }
    for (const auto& [name, svc] : reg.services()) {
        for (const auto& [mname, m] : svc.methods)
            std::printf("serve: %s(%s) %s  [%s%s]\n", m->full_name.c_str(), plugrpc::type_name(*m->args).c_str(),
                        plugrpc::type_name(*m->reply).c_str(), svc.plugin->file.c_str(),
                        svc.plugin->process ? ", isolated" : "");
    }
}

// plugrpcd reload --pid PID [--runtime-dir DIR] [--timeout SECONDS]
int reload_command(int argc, char** argv) {
    long pid = 0;
    long timeout_s = 60;
    std::string dir = std::getenv("RUNTIME_DIRECTORY") ? std::getenv("RUNTIME_DIRECTORY") : "";
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* name) -> const char* {
            if (i + 1 < argc) return argv[++i];
            std::fprintf(stderr, "plugrpcd reload: %s needs a value (see --help)\n", name);
            return nullptr;
        };
        auto number = [&](const char* name, long& out, long min) {
            const char* v = value(name);
            char* end = nullptr;
            if (v) out = std::strtol(v, &end, 10);
            if (!v || !*v || *end || out < min) {
                if (v) std::fprintf(stderr, "plugrpcd reload: %s %s: expected a number of at least %ld\n", name, v, min);
                return false;
            }
            return true;
        };
        if (a == "--pid") { if (!number("--pid", pid, 1)) return 2; continue; }
        if (a == "--timeout") { if (!number("--timeout", timeout_s, 1)) return 2; continue; }
        if (a == "--runtime-dir") { const char* v = value("--runtime-dir"); if (!v) return 2; dir = v; continue; }
        std::fprintf(stderr, "plugrpcd reload: unknown option %s (see --help)\n", argv[i]);
        return 2;
    }
    if (pid == 0 || dir.empty()) {
        std::fprintf(stderr, "plugrpcd reload: needs --pid and a runtime folder (--runtime-dir or "
                             "$RUNTIME_DIRECTORY)\n");
        return 2;
    }
    return plugrpc::request_reload(static_cast<pid_t>(pid), dir, std::chrono::seconds(timeout_s));
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "reload") return reload_command(argc, argv);
    Options opt;
    if (auto code = parse_args(argc, argv, opt)) return *code;
    if (opt.runtime_dir.empty() && std::getenv("RUNTIME_DIRECTORY")) opt.runtime_dir = std::getenv("RUNTIME_DIRECTORY");

    auto loaded = plugrpc::load_config(opt.config);
    if (!loaded.config) {
        std::fprintf(stderr, "plugrpcd: %s\n", loaded.error.c_str());
        return opt.check ? 1 : kExitConfig;
    }
    plugrpc::Config config = std::move(*loaded.config);
    if (!apply_flags(opt, config)) return opt.check ? 1 : kExitConfig;
    plugrpc::setup_logging(config.log_level);

    if (opt.check) {
        // Checked first, reported last: after what root itself found.
        plugrpc::ServiceCheck as_service = plugrpc::check_as_service(config, opt.as_user, opt.as_user_named);
        auto report_as_service = [&] {
            for (const auto& n : as_service.notes) spdlog::warn("{}", n);
            for (const auto& p : as_service.problems) spdlog::error("{}", p);
        };
        std::string tls_error;
        plugrpc::load_tls_context(config, tls_error);
        if (!tls_error.empty()) {
            std::fprintf(stderr, "plugrpcd: %s\n", tls_error.c_str());
            report_as_service();
            return 1;
        }
        // Plugins the service's user owns are the service's own.
        plugrpc::ScanResult scan = plugrpc::scan_plugins(config, nullptr, {}, as_service.uid);
        print_plan(config, *scan.registry);
        for (const auto& f : scan.failures)
            std::printf("plugin failed: %s: %s\n", f.file.c_str(), f.reason.c_str());
        // /readyz stays 503 while a required service is not served.
        bool required_missing = false;
        for (const auto& name : config.required_services)
            if (!scan.registry->services().count(name)) {
                std::printf("required service missing: %s ([plugins] required): no plugin in the plugin folders "
                            "serves it; /readyz would answer 503\n", name.c_str());
                required_missing = true;
            }
        report_as_service();
        return scan.failures.empty() && as_service.problems.empty() && !required_missing ? 0 : 1;
    }
    std::string tls_error;
    plugrpc::load_tls_context(config, tls_error);
    if (!tls_error.empty()) {
        spdlog::critical("cannot serve TLS: {}", tls_error);
        return kExitConfig;
    }
    try {
        plugrpc::Daemon daemon(opt.config, std::move(config),
                               [opt](plugrpc::Config& c) { return apply_flags(opt, c); }, opt.runtime_dir);
        return daemon.run();
    } catch (const plugrpc::ServerError& e) {
        spdlog::critical("cannot start: {}", e.what());
        return 1;
    }
}
