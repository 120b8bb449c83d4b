#include "daemon/config/config.hpp"
#include "wire/etcd/gateway.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace plugrpc {
namespace json = boost::json;

namespace {

struct Reader {
    std::string source;
    std::string error;

    bool fail(const toml::node* at, const std::string& key, const std::string& why) {
        if (!error.empty()) return false;
        std::ostringstream out;
        out << source;
        if (at && at->source().begin) out << ":" << at->source().begin.line << ":" << at->source().begin.column;
        out << ": " << key << ": " << why;
        error = out.str();
        return false;
    }

    static const char* type_of(const toml::node& n) {
        switch (n.type()) {
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::array: return "an array";
        case toml::node_type::table: return "a table";
        default: return "a date or time";
        }
    }

    bool known_keys(const toml::table& t, const std::string& prefix, const std::set<std::string>& keys) {
        for (const auto& [k, v] : t)
            if (!keys.count(std::string(k.str())))
                return fail(&v, prefix + std::string(k.str()), "unknown key");
        return true;
    }

    bool string(const toml::table& t, const std::string& table, const char* key, std::string& out) {
        const toml::node* n = t.get(key);
        if (!n) return true;
        if (!n->is_string()) return fail(n, table + "." + key, std::string("expected a string, got ") + type_of(*n));
        out = n->as_string()->get();
        return true;
    }

    bool boolean(const toml::table& t, const std::string& table, const char* key, bool& out) {
        const toml::node* n = t.get(key);
        if (!n) return true;
        if (!n->is_boolean()) return fail(n, table + "." + key, std::string("expected true or false, got ") + type_of(*n));
        out = n->as_boolean()->get();
        return true;
    }

    template <class T>
    bool count(const toml::table& t, const std::string& table, const char* key, T& out, std::int64_t min,
               std::int64_t max) {
        const toml::node* n = t.get(key);
        if (!n) return true;
        if (!n->is_integer()) return fail(n, table + "." + key, std::string("expected an integer, got ") + type_of(*n));
        std::int64_t v = n->as_integer()->get();
        if (v < min || v > max)
            return fail(n, table + "." + key,
                        "must be between " + std::to_string(min) + " and " + std::to_string(max));
        out = static_cast<T>(v);
        return true;
    }

    // A duration: seconds as a number, or a string with a unit ("500ms",
    // "10s", "2m"; "50us" where `fine`).
    template <class Duration>
    bool duration(const toml::table& t, const std::string& table, const char* key, Duration& out, bool fine = false) {
        const toml::node* n = t.get(key);
        if (!n) return true;
        double us = -1;
        if (n->is_integer()) us = double(n->as_integer()->get()) * 1e6;
        else if (n->is_floating_point()) us = n->as_floating_point()->get() * 1e6;
        else if (n->is_string()) {
            const std::string& s = n->as_string()->get();
            std::size_t used = 0;
            double v = 0;
            try { v = std::stod(s, &used); } catch (...) { used = 0; }
            std::string unit = used ? s.substr(used) : "";
            if (used && fine && (unit == "us" || unit == "\u00b5s")) us = v;
            else if (used && unit == "ms") us = v * 1e3;
            else if (used && (unit == "s" || unit.empty())) us = v * 1e6;
            else if (used && unit == "m") us = v * 60e6;
            else if (used && unit == "h") us = v * 3600e6;
        } else {
            return fail(n, table + "." + key, std::string("expected a duration, got ") + type_of(*n));
        }
        if (!(us >= 0 && us <= 86400e6 * 365)) // also refuses NaN ("nan", "nans")
            return fail(n, table + "." + key,
                        fine ? "expected a duration like \"50us\", \"1ms\" or 0"
                             : "expected a duration like 10, \"10s\", \"500ms\" or \"2m\"");
        out = std::chrono::duration_cast<Duration>(std::chrono::microseconds(static_cast<std::int64_t>(us)));
        return true;
    }

    // A size: bytes as an integer, or a string with a unit ("256MiB",
    // "1GiB", "512MB"); at least `min` bytes.
    bool bytes(const toml::table& t, const std::string& table, const char* key, std::uint64_t& out, std::uint64_t min) {
        const toml::node* n = t.get(key);
        if (!n) return true;
        double v = -1;
        if (n->is_integer()) v = double(n->as_integer()->get());
        else if (n->is_string()) {
            const std::string& s = n->as_string()->get();
            std::size_t used = 0;
            double x = 0;
            try { x = std::stod(s, &used); } catch (...) { used = 0; }
            std::string unit = used ? s.substr(used) : "";
            static const std::pair<const char*, double> units[] = {
                {"", 1}, {"B", 1}, {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
                {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}};
            for (const auto& [name, scale] : units)
                if (used && unit == name) v = x * scale;
        } else {
            return fail(n, table + "." + key, std::string("expected a size, got ") + type_of(*n));
        }
        if (!(v >= double(min) && v <= 1e15)) // also refuses NaN
            return fail(n, table + "." + key,
                        "expected a size of at least " + std::to_string(min >> 20) + " MiB, like \"256MiB\" or \"1GiB\"");
        out = static_cast<std::uint64_t>(v);
        return true;
    }

    bool string_list(const toml::table& t, const std::string& table, const char* key, std::vector<std::string>& out) {
        const toml::node* n = t.get(key);
        if (!n) return false;
        if (!n->is_array()) return fail(n, table + "." + key, std::string("expected an array of strings, got ") + type_of(*n));
        out.clear();
        for (const auto& e : *n->as_array()) {
            if (!e.is_string()) return fail(&e, table + "." + key, std::string("expected an array of strings, found ") + type_of(e));
            out.push_back(e.as_string()->get());
        }
        return true;
    }

    bool http_path(const toml::table& t, const char* key, std::string& out) {
        if (!string(t, "server", key, out)) return false;
        if (out.empty() || out[0] != '/' || out.find_first_of(" \t\r\n?#") != std::string::npos)
            return fail(t.get(key), std::string("server.") + key, "must be a path starting with '/'");
        return true;
    }

    static json::value to_json(const toml::node& n) {
        if (auto* s = n.as_string()) return json::value(s->get());
        if (auto* i = n.as_integer()) return json::value(i->get());
        if (auto* f = n.as_floating_point()) return json::value(f->get());
        if (auto* b = n.as_boolean()) return json::value(b->get());
        if (auto* a = n.as_array()) {
            json::array out;
            for (const auto& e : *a) out.push_back(to_json(e));
            return out;
        }
        if (auto* t = n.as_table()) {
            json::object out;
            for (const auto& [k, v] : *t) out[k.str()] = to_json(v);
            return out;
        }
        std::ostringstream s;
        if (auto* d = n.as_date()) s << d->get();
        else if (auto* t = n.as_time()) s << t->get();
        else if (auto* dt = n.as_date_time()) s << dt->get();
        return json::value(s.str()); // dates and times as their TOML text
    }

    // ---- load balancers: drain_delay, agent_check, required services, max_concurrency ----

    bool balancer_keys(const toml::table& t, Config& c) {
        if (!duration(t, "server", "drain_delay", c.drain_delay)) return false;
        if (!string(t, "server", "agent_check", c.agent_check)) return false;
        if (!c.agent_check.empty()) {
            std::string why;
            auto a = parse_listen_address(c.agent_check, why);
            if (a && a->kind != ListenAddress::Kind::Tcp) why = "must be a tcp:// address";
            if (!why.empty()) return fail(t.get("agent_check"), "server.agent_check", "\"" + c.agent_check + "\": " + why);
        }
        return true;
    }

    static bool service_name(const std::string& name) {
        return !name.empty() && name.front() != '.' && name.back() != '.' &&
               std::all_of(name.begin(), name.end(),
                           [](unsigned char ch) { return std::isalnum(ch) || ch == '_' || ch == '.'; });
    }

    bool required_services(const toml::table& t, Config& c) {
        std::vector<std::string> names;
        if (!string_list(t, "plugins", "required", names)) return error.empty();
        for (const auto& name : names)
            if (!service_name(name))
                return fail(t.get("required"), "plugins.required", "\"" + name + "\" is not a service name (\"Arith\")");
        c.required_services = std::move(names);
        return true;
    }

    bool max_concurrency(const toml::table& limits, Limits& l) {
        const toml::node* m = limits.get("max_concurrency");
        if (!m) return true;
        if (!m->is_table())
            return fail(m, "limits.max_concurrency", "expected a table of call counts by \"Service.Method\" or \"Service\"");
        const toml::table& mt = *m->as_table();
        for (const auto& [k, v] : mt) {
            std::string name(k.str());
            if (!service_name(name))
                return fail(&v, "limits.max_concurrency." + name, "expected a \"Service.Method\" or \"Service\" name");
            std::size_t n = 0;
            if (!count(mt, "limits.max_concurrency", name.c_str(), n, 0, 100000000)) return false;
            l.max_concurrency[name] = n;
        }
        return true;
    }

    // [server] proxy_protocol: listeners of [server] listen whose trusted
    // peers (proxy_trusted) start each connection with a PROXY v2 header.
    bool proxy_protocol(const toml::table& t, Config& c) {
        std::vector<std::string> texts, ranges;
        bool has_list = string_list(t, "server", "proxy_protocol", texts);
        if (!error.empty()) return false;
        bool has_trusted = string_list(t, "server", "proxy_trusted", ranges);
        if (!error.empty()) return false;
        c.proxy_protocol.clear();
        for (const auto& text : texts) {
            std::string why;
            auto a = parse_listen_address(text, why);
            if (!a) return fail(t.get("proxy_protocol"), "server.proxy_protocol", "\"" + text + "\": " + why);
            if (a->kind == ListenAddress::Kind::Unix)
                return fail(t.get("proxy_protocol"), "server.proxy_protocol",
                            "\"" + text + "\": a unix socket cannot take PROXY headers (use tcp:// or tls://)");
            if (std::none_of(c.listen.begin(), c.listen.end(), [&](const ListenAddress& l) { return l.same_place(*a); }))
                return fail(t.get("proxy_protocol"), "server.proxy_protocol",
                            "\"" + text + "\" is not one of server.listen");
            c.proxy_protocol.push_back(*a);
        }
        c.proxy_trusted.clear();
        for (const auto& r : ranges) {
            std::string why;
            auto range = Cidr::parse(r, why);
            if (!range) return fail(t.get("proxy_trusted"), "server.proxy_trusted", why);
            c.proxy_trusted.push_back(*range);
        }
        if (has_list && !c.proxy_protocol.empty() && (!has_trusted || c.proxy_trusted.empty()))
            return fail(t.get("proxy_protocol"), "server.proxy_trusted",
                        "server.proxy_protocol needs the addresses of the proxies to believe (e.g. [\"10.0.0.5\"])");
        return true;
    }

    // [tls] client_ca and client_auth: mutual TLS.
    bool client_auth(const toml::table& t, const std::filesystem::path& base, Config& c) {
        std::string ca, auth;
        if (!string(t, "tls", "client_ca", ca) || !string(t, "tls", "client_auth", auth)) return false;
        using Auth = ServerOptions::ClientAuth;
        if (auth.empty()) c.tls_client_auth = ca.empty() ? Auth::None : Auth::Require;
        else if (auth == "require") c.tls_client_auth = Auth::Require;
        else if (auth == "optional") c.tls_client_auth = Auth::Optional;
        else if (auth == "none") c.tls_client_auth = Auth::None;
        else return fail(t.get("client_auth"), "tls.client_auth", "must be \"require\", \"optional\" or \"none\"");
        if (c.tls_client_auth != Auth::None && ca.empty())
            return fail(t.get("client_auth"), "tls.client_ca",
                        "client_auth = \"" + auth + "\" needs client_ca, the CA certificates to verify clients against");
        if (!ca.empty()) c.tls_client_ca = base / ca;
        if (c.tls_client_auth != Auth::None && c.tls_cert_file.empty())
            return fail(t.get("client_ca"), "tls.client_ca", "mutual TLS needs cert_file and key_file too");
        return true;
    }

    // [access."Service"] and [access."Service.Method"]: allow = [...].
    bool access(const toml::table& root, Config& c) {
        const toml::node* n = root.get("access");
        if (!n) return true;
        if (!n->is_table()) return fail(n, "access", "expected tables [access.<Service>] or [access.\"<Service.Method>\"]");
        for (const auto& [k, v] : *n->as_table()) {
            std::string name(k.str());
            std::string key = "access." + (name.find('.') == std::string::npos ? name : "\"" + name + "\"");
            bool ok = !name.empty() && name.front() != '.' && name.back() != '.' &&
                      std::all_of(name.begin(), name.end(),
                                  [](unsigned char ch) { return std::isalnum(ch) || ch == '_' || ch == '.'; });
            if (!ok) return fail(&v, key, "expected a \"Service\" or \"Service.Method\" name");
            if (!v.is_table()) return fail(&v, key, "expected a table with allow = [...]");
            const toml::table& t = *v.as_table();
            if (!known_keys(t, key + ".", {"allow"})) return false;
            std::vector<std::string> entries;
            if (!string_list(t, key, "allow", entries)) {
                if (!error.empty()) return false;
                return fail(&v, key + ".allow", "missing: the peers that may call it (an empty list refuses everyone)");
            }
            auto& rules = c.access[name];
            for (const auto& e : entries) {
                std::string why;
                auto rule = AccessRule::parse(e, why);
                if (!rule) return fail(t.get("allow"), key + ".allow", why);
                rules.push_back(std::move(*rule));
            }
        }
        return true;
    }

    // [registry]: etcd endpoints, key prefix, lease ttl, the advertised address.
    bool registry(const toml::node& n, Config& c) {
        if (!n.is_table()) return fail(&n, "registry", "expected a table");
        const toml::table& t = *n.as_table();
        RegistrySettings& r = c.registry;
        if (!known_keys(t, "registry.", {"etcd", "prefix", "ttl", "advertise"})) return false;
        if (string_list(t, "registry", "etcd", r.etcd)) {
            for (const auto& text : r.etcd) {
                etcd::Endpoint e;
                std::string why;
                if (!etcd::parse_endpoint(text, e, why)) return fail(t.get("etcd"), "registry.etcd", why);
            }
        }
        if (!error.empty()) return false;
        if (!string(t, "registry", "prefix", r.prefix)) return false;
        if (r.prefix.empty() || r.prefix[0] != '/' || r.prefix.find_first_of(" \t\r\n") != std::string::npos)
            return fail(t.get("prefix"), "registry.prefix", "must be a key prefix starting with '/' (\"/plugrpc/services\")");
        std::chrono::milliseconds ttl = r.ttl;
        if (!duration(t, "registry", "ttl", ttl)) return false;
        if (ttl < std::chrono::seconds(2) || ttl > std::chrono::hours(1) || ttl.count() % 1000 != 0)
            return fail(t.get("ttl"), "registry.ttl", "must be whole seconds from \"2s\" to \"1h\" (etcd's leases count seconds)");
        r.ttl = std::chrono::duration_cast<std::chrono::seconds>(ttl);
        if (!string(t, "registry", "advertise", r.advertise)) return false;
        std::string why;
        if (!r.advertise.empty() && parse_advertise(r.advertise, why).empty())
            return fail(t.get("advertise"), "registry.advertise", why);
        if (r.enabled() && r.advertise.empty() && default_advertise(c.listen, why).empty())
            return fail(&n, "registry.advertise", why);
        return true;
    }

    bool read(const toml::table& root, Config& c) {
        if (!known_keys(root, "", {"server", "plugins", "log", "limits", "plugin", "http", "tls", "access", "jsonrpc", "registry"})) return false;
        if (const toml::node* n = root.get("server")) {
            if (!n->is_table()) return fail(n, "server", "expected a table");
            const toml::table& t = *n->as_table();
            if (!known_keys(t, "server.", {"listen", "rpc_path", "debug_path", "threads", "blocking_threads", "max_blocking_threads",
                                           "blocking_timer_slack", "drain_timeout", "batch_wait", "proxy_protocol", "proxy_trusted",
                                           /* load balancers */ "drain_delay", "agent_check"}))
                return false;
            std::vector<std::string> listen;
            if (string_list(t, "server", "listen", listen)) {
                c.listen.clear();
                for (const auto& text : listen) {
                    std::string why;
                    auto a = parse_listen_address(text, why);
                    if (!a) return fail(t.get("listen"), "server.listen", "\"" + text + "\": " + why);
                    c.listen.push_back(*a);
                }
            }
            if (!error.empty()) return false;
            if (!http_path(t, "rpc_path", c.rpc_path) || !http_path(t, "debug_path", c.debug_path)) return false;
            if (c.rpc_path == c.debug_path)
                return fail(t.get("debug_path") ? t.get("debug_path") : t.get("rpc_path"), "server.debug_path",
                            "must differ from server.rpc_path (\"" + c.rpc_path + "\")");
            if (!count(t, "server", "threads", c.threads, 0, 256)) return false;
            if (!count(t, "server", "blocking_threads", c.blocking_threads, 1, 1024)) return false;
            if (!count(t, "server", "max_blocking_threads", c.max_blocking_threads, 1, 65536)) return false;
            if (c.max_blocking_threads < c.blocking_threads)
                return fail(t.get("max_blocking_threads") ? t.get("max_blocking_threads") : t.get("blocking_threads"),
                            "server.max_blocking_threads",
                            "must be at least server.blocking_threads (" + std::to_string(c.blocking_threads) + ")");
            if (!duration(t, "server", "blocking_timer_slack", c.blocking_timer_slack, true)) return false;
            if (c.blocking_timer_slack > std::chrono::milliseconds(100))
                return fail(t.get("blocking_timer_slack"), "server.blocking_timer_slack",
                            "at most \"100ms\" (each timed wait of a blocking method may end this late)");
            if (!duration(t, "server", "drain_timeout", c.drain_timeout)) return false;
            if (!duration(t, "server", "batch_wait", c.batch_wait, true)) return false;
            if (c.batch_wait > std::chrono::milliseconds(10))
                return fail(t.get("batch_wait"), "server.batch_wait",
                            "at most \"10ms\" (each call may wait this long before it is read)");
            if (!balancer_keys(t, c)) return false;
            if (!proxy_protocol(t, c)) return false;
        }
        if (const toml::node* n = root.get("plugins")) {
            if (!n->is_table()) return fail(n, "plugins", "expected a table");
            const toml::table& t = *n->as_table();
            if (!known_keys(t, "plugins.", {"dirs", "watch", "strict_permissions", "required", "isolate", "init_timeout"})) return false;
            std::vector<std::string> dirs;
            if (string_list(t, "plugins", "dirs", dirs)) {
                c.plugin_dirs.assign(dirs.begin(), dirs.end());
            }
            if (!error.empty()) return false;
            if (!boolean(t, "plugins", "watch", c.watch)) return false;
            if (!boolean(t, "plugins", "strict_permissions", c.strict_permissions)) return false;
            if (!required_services(t, c)) return false;
            if (!boolean(t, "plugins", "isolate", c.isolate)) return false;
            if (!duration(t, "plugins", "init_timeout", c.init_timeout)) return false;
            if (c.init_timeout < std::chrono::milliseconds(1))
                return fail(t.get("init_timeout"), "plugins.init_timeout", "must be at least \"1ms\"");
        }
        if (const toml::node* n = root.get("http")) {
            if (!n->is_table()) return fail(n, "http", "expected a table");
            const toml::table& t = *n->as_table();
            if (!known_keys(t, "http.", {"admin_allow"})) return false;
            std::vector<std::string> ranges;
            if (string_list(t, "http", "admin_allow", ranges)) {
                for (const auto& r : ranges) {
                    std::string why;
                    auto range = Cidr::parse(r, why);
                    if (!range) return fail(t.get("admin_allow"), "http.admin_allow", why);
                    c.admin_allow.push_back(*range);
                }
            }
            if (!error.empty()) return false;
        }
        if (const toml::node* n = root.get("jsonrpc")) {
            if (!n->is_table()) return fail(n, "jsonrpc", "expected a table");
            const toml::table& t = *n->as_table();
            if (!known_keys(t, "jsonrpc.", {"default_service"})) return false;
            std::string& svc = c.jsonrpc_default_service;
            if (!string(t, "jsonrpc", "default_service", svc)) return false;
            bool name = svc.empty() || (svc.front() != '.' && svc.back() != '.' &&
                                        std::all_of(svc.begin(), svc.end(), [](unsigned char ch) {
                                            return std::isalnum(ch) || ch == '_' || ch == '.';
                                        }));
            if (!name)
                return fail(t.get("default_service"), "jsonrpc.default_service",
                            "expected a service name (letters, digits, '_' and '.'), got \"" + svc + "\"");
            if (svc == "rpc" || svc.rfind("rpc.", 0) == 0)
                return fail(t.get("default_service"), "jsonrpc.default_service",
                            "\"" + svc + "\" is reserved by JSON-RPC 2.0 (no plugin may serve it)");
        }
        if (const toml::node* n = root.get("tls")) {
            if (!n->is_table()) return fail(n, "tls", "expected a table");
            const toml::table& t = *n->as_table();
            if (!known_keys(t, "tls.", {"cert_file", "key_file", "client_ca", "client_auth"})) return false;
            std::string cert, key;
            if (!string(t, "tls", "cert_file", cert) || !string(t, "tls", "key_file", key)) return false;
            if (cert.empty() != key.empty())
                return fail(n, cert.empty() ? "tls.cert_file" : "tls.key_file",
                            "cert_file and key_file go together");
            auto base = std::filesystem::path(source).parent_path();
            if (!cert.empty()) c.tls_cert_file = base / cert; // an absolute path stays as it is
            if (!key.empty()) c.tls_key_file = base / key;
            if (!client_auth(t, base, c)) return false;
        }
        if (const toml::node* n = root.get("log")) {
            if (!n->is_table()) return fail(n, "log", "expected a table");
            const toml::table& t = *n->as_table();
            if (!known_keys(t, "log.", {"level"})) return false;
            if (!string(t, "log", "level", c.log_level)) return false;
            static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
            if (!levels.count(c.log_level))
                return fail(t.get("level"), "log.level", "must be one of trace, debug, info, warn, error, critical, off");
        }
        if (const toml::node* n = root.get("limits")) {
            if (!n->is_table()) return fail(n, "limits", "expected a table");
            const toml::table& t = *n->as_table();
            Limits& l = c.limits;
            if (!known_keys(t, "limits.", {"max_message_bytes", "max_json_depth", "max_batch", "max_connections",
                                           "max_inflight_per_connection", "max_inflight", "max_unread_reply_bytes", "max_gob_type_bytes", "idle_timeout",
                                           "header_timeout", "call_timeout", "call_timeouts", "max_concurrency"}))
                return false;
            if (!count(t, "limits", "max_message_bytes", l.max_message_bytes, 64, std::int64_t(1) << 32) ||
                !count(t, "limits", "max_json_depth", l.max_json_depth, 2, 10000) ||
                !count(t, "limits", "max_batch", l.max_batch, 1, 1000000) ||
                !count(t, "limits", "max_connections", l.max_connections, 1, 10000000) ||
                !count(t, "limits", "max_inflight_per_connection", l.max_inflight_per_connection, 1, 1000000) ||
                !count(t, "limits", "max_inflight", l.max_inflight, 1, 100000000) ||
                !count(t, "limits", "max_unread_reply_bytes", l.max_unread_reply_bytes, 4096, std::int64_t(1) << 32) ||
                !count(t, "limits", "max_gob_type_bytes", l.max_gob_type_bytes, 65536, std::int64_t(1) << 40) ||
                !duration(t, "limits", "idle_timeout", l.idle_timeout) ||
                !duration(t, "limits", "header_timeout", l.header_timeout) ||
                !duration(t, "limits", "call_timeout", l.call_timeout))
                return false;
            if (const toml::node* m = t.get("call_timeouts")) {
                if (!m->is_table()) return fail(m, "limits.call_timeouts", "expected a table of durations by \"Service.Method\" or \"Service\"");
                const toml::table& mt = *m->as_table();
                for (const auto& [k, v] : mt) {
                    std::string name(k.str());
                    bool ok = !name.empty() && name.front() != '.' && name.back() != '.' &&
                              std::all_of(name.begin(), name.end(), [](unsigned char ch) {
                                  return std::isalnum(ch) || ch == '_' || ch == '.';
                              });
                    if (!ok) return fail(&v, "limits.call_timeouts." + name, "expected a \"Service.Method\" or \"Service\" name");
                    std::chrono::milliseconds d{};
                    if (!duration(mt, "limits.call_timeouts", name.c_str(), d)) return false;
                    l.call_timeouts[name] = d;
                }
            }
        }
        if (const toml::node* n = root.get("limits"); n && n->is_table())
            if (!max_concurrency(*n->as_table(), c.limits)) return false;
        if (!access(root, c)) return false;
        if (const toml::node* n = root.get("registry"); n && !registry(*n, c)) return false;
        if (const toml::node* n = root.get("plugin")) {
            if (!n->is_table()) return fail(n, "plugin", "expected tables [plugin.<name>]");
            for (const auto& [k, v] : *n->as_table()) {
                std::string table = "plugin." + std::string(k.str());
                if (!v.is_table()) return fail(&v, table, "expected a table");
                const toml::table& given = *v.as_table();
                Config::PluginHosting hosting;
                if (given.contains("isolate")) {
                    bool isolate = false;
                    if (!boolean(given, table, "isolate", isolate)) return false;
                    hosting.isolate = isolate;
                }
                if (!bytes(given, table, "max_memory", hosting.max_memory, 16u << 20)) return false;
                if (const toml::node* cpu = given.get("max_cpu")) {
                    std::optional<double> cores = cpu->value<double>();
                    if (!cores || !(*cores > 0) || *cores > 4096)
                        return fail(cpu, table + ".max_cpu",
                                    "expected the CPU cores its process may use, averaged over 10 s, such as 0.5 or 2");
                    hosting.max_cpu = *cores;
                }
                if (hosting.isolate || hosting.max_memory || hosting.max_cpu > 0)
                    c.plugin_hosting[std::string(k.str())] = hosting;
                toml::table own = given;
                own.erase("isolate"); // the daemon's, not the plugin's
                own.erase("max_memory");
                own.erase("max_cpu");
                c.plugin_configs[k.str()] = to_json(own);
            }
        }
        return true;
    }
};

} // namespace

ConfigResult parse_config(std::string_view text, const std::string& source) {
    ConfigResult r;
    Config c;
    c.file = source;
    std::string why;
    c.listen.push_back(*parse_listen_address("tcp://127.0.0.1:1234", why));
    toml::table root;
    try {
        root = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        std::ostringstream out;
        out << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
        r.error = out.str();
        return r;
    }
    Reader reader{source, {}};
    if (!reader.read(root, c)) {
        r.error = reader.error;
        return r;
    }
    r.config = std::move(c);
    return r;
}

ConfigResult load_config(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return {std::nullopt, file.string() + ": cannot open: " + std::strerror(errno)};
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return {std::nullopt, file.string() + ": cannot read: " + std::strerror(errno)};
    return parse_config(text.str(), file.string());
}

} // namespace plugrpc
