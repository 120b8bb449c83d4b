// plugrpcd's TOML configuration: defaults, every key, and errors that name
// the file, line and key.
#include "config_test_support.hpp"
#include "daemon/config/config.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

// Each file in its own namespace: unity builds compile several together.
namespace unit_config {

using namespace plugrpc;
using namespace std::chrono_literals;

using configtest::parse_error;
using configtest::parse_ok;

namespace {

std::string listen_error(const std::string& address) {
    std::string why;
    auto a = parse_listen_address(address, why);
    CHECK_FALSE(a);
    return why;
}

std::chrono::milliseconds drain(const std::string& value) {
    return parse_ok("[server]\ndrain_timeout = " + value + "\n").drain_timeout;
}

} // namespace

// ---- defaults ------------------------------------------------------------------------

TEST_CASE("config: an empty file gives the documented defaults", "[config]") {
    Config c = parse_ok("");
    CHECK(c.file == "test.toml");
    REQUIRE(c.listen.size() == 1);
    CHECK(c.listen[0].kind == ListenAddress::Kind::Tcp);
    CHECK(c.listen[0].host == "127.0.0.1");
    CHECK(c.listen[0].port == 1234);
    CHECK(c.listen[0].text == "tcp://127.0.0.1:1234");
    CHECK(c.rpc_path == "/_goRPC_");
    CHECK(c.debug_path == "/debug/rpc");
    CHECK(c.threads == 0);
    CHECK(c.blocking_threads == 4);
    CHECK(c.drain_timeout == 10s);
    CHECK(c.batch_wait == 100us);
    CHECK(c.blocking_timer_slack == 1000us);
    CHECK(c.plugin_dirs == std::vector<std::filesystem::path>{"/usr/lib/plugrpcd/plugins"});
    CHECK(c.watch);
    CHECK(c.log_level == "info");
    CHECK(c.limits.max_message_bytes == 4u << 20);
    CHECK(c.limits.max_json_depth == 64);
    CHECK(c.limits.max_batch == 1000);
    CHECK(c.limits.max_connections == 10000);
    CHECK(c.limits.max_inflight_per_connection == 128);
    CHECK(c.limits.max_inflight == 100000);
    CHECK(c.limits.idle_timeout == 5min);
    CHECK(c.limits.header_timeout == 10s);
    CHECK(c.plugin_configs.empty());
}

TEST_CASE("config: empty tables keep the defaults", "[config]") {
    Config c = parse_ok("[server]\n[plugins]\n[log]\n[limits]\n");
    REQUIRE(c.listen.size() == 1);
    CHECK(c.listen[0].text == "tcp://127.0.0.1:1234");
    CHECK(c.log_level == "info");
    CHECK(c.plugin_dirs == std::vector<std::filesystem::path>{"/usr/lib/plugrpcd/plugins"});
}

TEST_CASE("config: threads = 0 means one I/O thread per core", "[config]") {
    Config c = parse_ok("");
    CHECK(c.io_threads() >= 1);
    c.threads = 3;
    CHECK(c.io_threads() == 3);
}

// ---- every key -------------------------------------------------------------------------

TEST_CASE("config: every key is read", "[config]") {
    Config c = parse_ok(R"(
[server]
listen = ["tcp://0.0.0.0:8080", "unix:///run/plugrpcd.sock", "tcp://[::1]:9000"]
rpc_path = "/rpc"
debug_path = "/debug"
threads = 8
blocking_threads = 16
drain_timeout = "30s"
batch_wait = "200us"

[plugins]
dirs = ["/opt/a", "/opt/b"]
watch = false
strict_permissions = false

[log]
level = "debug"

[limits]
max_message_bytes = 1048576
max_json_depth = 32
max_batch = 50
max_connections = 200
max_inflight_per_connection = 16
max_inflight = 5000
idle_timeout = "90s"
header_timeout = "500ms"
)");
    REQUIRE(c.listen.size() == 3);
    CHECK(c.listen[0].kind == ListenAddress::Kind::Tcp);
    CHECK(c.listen[0].host == "0.0.0.0");
    CHECK(c.listen[0].port == 8080);
    CHECK(c.listen[1].kind == ListenAddress::Kind::Unix);
    CHECK(c.listen[1].path == "/run/plugrpcd.sock");
    CHECK(c.listen[1].text == "unix:///run/plugrpcd.sock");
    CHECK(c.listen[2].host == "::1");
    CHECK(c.listen[2].port == 9000);
    CHECK(c.rpc_path == "/rpc");
    CHECK(c.debug_path == "/debug");
    CHECK(c.threads == 8);
    CHECK(c.blocking_threads == 16);
    CHECK(c.drain_timeout == 30s);
    CHECK(c.batch_wait == 200us);
    CHECK(c.plugin_dirs == std::vector<std::filesystem::path>{"/opt/a", "/opt/b"});
    CHECK_FALSE(c.watch);
    CHECK(c.log_level == "debug");
    CHECK(c.limits.max_message_bytes == 1048576);
    CHECK(c.limits.max_json_depth == 32);
    CHECK(c.limits.max_batch == 50);
    CHECK(c.limits.max_connections == 200);
    CHECK(c.limits.max_inflight_per_connection == 16);
    CHECK(c.limits.max_inflight == 5000);
    CHECK(c.limits.idle_timeout == 90s);
    CHECK(c.limits.header_timeout == 500ms);
}

TEST_CASE("config: every log level is accepted", "[config]") {
    for (std::string level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
        INFO(level);
        CHECK(parse_ok("[log]\nlevel = \"" + level + "\"\n").log_level == level);
    }
}

TEST_CASE("config: the shipped default config is valid", "[config]") {
    std::filesystem::path shipped = std::filesystem::path(__FILE__).parent_path() / "../../conf/plugrpcd.toml";
    REQUIRE(std::filesystem::exists(shipped));
    ConfigResult r = load_config(shipped);
    INFO(r.error);
    REQUIRE(r.config);
    CHECK_FALSE(r.config->listen.empty());
}

// ---- durations --------------------------------------------------------------------------

TEST_CASE("config: durations are seconds, or a number with ms, s, m or h", "[config]") {
    CHECK(drain("\"10s\"") == 10s);
    CHECK(drain("\"500ms\"") == 500ms);
    CHECK(drain("2") == 2s);
    CHECK(drain("\"2m\"") == 2min);
    CHECK(drain("\"1h\"") == 1h);
    CHECK(drain("\"3\"") == 3s);
    CHECK(drain("1.5") == 1500ms);
    CHECK(drain("\"0.25s\"") == 250ms);
    CHECK(drain("0") == 0ms);
}

TEST_CASE("config: blocking_timer_slack takes microseconds, 0, and at most 100 ms", "[config]") {
    auto slack = [](const std::string& v) {
        return parse_ok("[server]\nblocking_timer_slack = " + v + "\n").blocking_timer_slack;
    };
    CHECK(slack("\"50us\"") == 50us);
    CHECK(slack("\"2ms\"") == 2000us);
    CHECK(slack("0") == 0us);
    CHECK(slack("\"100ms\"") == 100000us);
    CHECK(parse_error("[server]\nblocking_timer_slack = \"101ms\"\n") ==
          "test.toml:2:24: server.blocking_timer_slack: at most \"100ms\" (each timed wait of a blocking method may "
          "end this late)");
    CHECK(parse_error("[server]\nblocking_timer_slack = -1\n") ==
          "test.toml:2:24: server.blocking_timer_slack: expected a duration like \"50us\", \"1ms\" or 0");
}

TEST_CASE("config: batch_wait takes microseconds too, and at most 10 ms", "[config]") {
    auto wait = [](const std::string& v) { return parse_ok("[server]\nbatch_wait = " + v + "\n").batch_wait; };
    const std::pair<std::string, std::chrono::microseconds> cases[] = {
        {"\"50us\"", 50us}, {"\"120\u00b5s\"", 120us}, {"\"1ms\"", 1000us}, {"\"0.5ms\"", 500us},
        {"0", 0us},         {"0.002", 2000us},          {"\"10ms\"", 10000us}};
    for (const auto& [text, want] : cases) {
        INFO(text);
        CHECK(wait(text) == want);
    }
    CHECK(parse_error("[server]\nbatch_wait = \"11ms\"\n") ==
          "test.toml:2:14: server.batch_wait: at most \"10ms\" (each call may wait this long before it is read)");
    CHECK(parse_error("[server]\nbatch_wait = \"fast\"\n") ==
          "test.toml:2:14: server.batch_wait: expected a duration like \"50us\", \"1ms\" or 0");
    // Microseconds are for batch_wait only: elsewhere they would round to nothing.
    CHECK(parse_error("[server]\ndrain_timeout = \"50us\"\n") ==
          "test.toml:2:17: server.drain_timeout: expected a duration like 10, \"10s\", \"500ms\" or \"2m\"");
}

TEST_CASE("config: a duration that cannot be read is an error naming the key", "[config]") {
    const std::string why = R"(server.drain_timeout: expected a duration like 10, "10s", "500ms" or "2m")";
    for (std::string bad : {"\"soon\"", "\"10 s\"", "\"10sec\"", "\"-5s\"", "-1", "\"\"", "inf", "\"infs\"", "\"1e400s\"", "\"400d\""}) {
        INFO(bad);
        CHECK(parse_error("[server]\ndrain_timeout = " + bad + "\n") == "test.toml:2:17: " + why);
    }
}

TEST_CASE("config: a duration that is not a number (nan) is refused", "[config]") {
    const std::string why = R"(server.drain_timeout: expected a duration like 10, "10s", "500ms" or "2m")";
    for (std::string bad : {"\"nan\"", "\"nans\"", "nan", "-nan"}) {
        INFO(bad);
        CHECK(parse_error("[server]\ndrain_timeout = " + bad + "\n") == "test.toml:2:17: " + why);
    }
}

TEST_CASE("config: a duration of another type is an error naming the type", "[config]") {
    CHECK(parse_error("[limits]\nidle_timeout = true\n") ==
          "test.toml:2:16: limits.idle_timeout: expected a duration, got a boolean");
    CHECK(parse_error("[limits]\nidle_timeout = [1]\n") ==
          "test.toml:2:16: limits.idle_timeout: expected a duration, got an array");
}

// ---- plugin tables -------------------------------------------------------------------------

TEST_CASE("config: [plugin.<name>] tables are handed over as JSON, keyed by plugin name", "[config]") {
    Config c = parse_ok(R"(
[plugin.arith]
scale = 2
name = "x"
ratio = 1.5
verbose = true
list = [1, "two", 3.0]

[plugin.arith.nested]
deep = { k = "v" }

[plugin.other]
)");
    CHECK(boost::json::value(c.plugin_configs) ==
          boost::json::parse(R"({"arith":{"scale":2,"name":"x","ratio":1.5,"verbose":true,"list":[1,"two",3.0],"nested":{"deep":{"k":"v"}}},"other":{}})"));
}

TEST_CASE("config: dates and times in a plugin table are handed over as their TOML text", "[config]") {
    Config c = parse_ok("[plugin.cal]\nday = 2024-02-29\n");
    CHECK(c.plugin_configs.at("cal").at("day") == "2024-02-29");
}

TEST_CASE("config: a plugin entry that is not a table is an error", "[config]") {
    CHECK(parse_error("[plugin]\narith = 5\n") == "test.toml:2:9: plugin.arith: expected a table");
    CHECK(parse_error("plugin = 5\n") == "test.toml:1:10: plugin: expected tables [plugin.<name>]");
}

// ---- errors: wrong types ---------------------------------------------------------------------

TEST_CASE("config: listen = 1234 is an error naming the source, line and server.listen", "[config]") {
    CHECK(parse_error("[server]\nlisten = 1234\n") ==
          "test.toml:2:10: server.listen: expected an array of strings, got an integer");
}

TEST_CASE("config: a listen list with a non-string is an error", "[config]") {
    CHECK(parse_error("[server]\nlisten = [\"tcp://127.0.0.1:1\", 2]\n") ==
          "test.toml:2:32: server.listen: expected an array of strings, found an integer");
}

TEST_CASE("config: values of the wrong type are errors naming key and type", "[config]") {
    CHECK(parse_error("[server]\nthreads = \"4\"\n") == "test.toml:2:11: server.threads: expected an integer, got a string");
    CHECK(parse_error("[server]\nrpc_path = 5\n") == "test.toml:2:12: server.rpc_path: expected a string, got an integer");
    CHECK(parse_error("[plugins]\nwatch = \"yes\"\n") == "test.toml:2:9: plugins.watch: expected true or false, got a string");
    CHECK(parse_error("[plugins]\ndirs = \"/opt\"\n") == "test.toml:2:8: plugins.dirs: expected an array of strings, got a string");
    CHECK(parse_error("[log]\nlevel = 3\n") == "test.toml:2:9: log.level: expected a string, got an integer");
    CHECK(parse_error("[limits]\nmax_batch = 1.5\n") == "test.toml:2:13: limits.max_batch: expected an integer, got a float");
}

TEST_CASE("config: a table key given a value is an error", "[config]") {
    CHECK(parse_error("server = 1\n") == "test.toml:1:10: server: expected a table");
    CHECK(parse_error("log = \"debug\"\n") == "test.toml:1:7: log: expected a table");
}

TEST_CASE("config: numbers out of range are errors giving the range", "[config]") {
    CHECK(parse_error("[server]\nthreads = -1\n") == "test.toml:2:11: server.threads: must be between 0 and 256");
    CHECK(parse_error("[server]\nthreads = 257\n") == "test.toml:2:11: server.threads: must be between 0 and 256");
    CHECK(parse_error("[server]\nblocking_threads = 0\n") == "test.toml:2:20: server.blocking_threads: must be between 1 and 1024");
    CHECK(parse_error("[limits]\nmax_json_depth = 1\n") == "test.toml:2:18: limits.max_json_depth: must be between 2 and 10000");
}

TEST_CASE("config: an unknown log level is an error listing the levels", "[config]") {
    CHECK(parse_error("[log]\nlevel = \"loud\"\n") ==
          "test.toml:2:9: log.level: must be one of trace, debug, info, warn, error, critical, off");
}

TEST_CASE("config: an HTTP path must start with a slash", "[config]") {
    CHECK(parse_error("[server]\nrpc_path = \"rpc\"\n") == "test.toml:2:12: server.rpc_path: must be a path starting with '/'");
    CHECK(parse_error("[server]\ndebug_path = \"\"\n") == "test.toml:2:14: server.debug_path: must be a path starting with '/'");
    CHECK(parse_error("[server]\ndebug_path = \"/a b\"\n") == "test.toml:2:14: server.debug_path: must be a path starting with '/'");
}

// ---- errors: unknown keys ------------------------------------------------------------------

TEST_CASE("config: an unknown key is an error naming it, in every table", "[config]") {
    CHECK(parse_error("colour = \"blue\"\n") == "test.toml:1:10: colour: unknown key");
    CHECK(parse_error("[server]\nport = 1234\n") == "test.toml:2:8: server.port: unknown key");
    CHECK(parse_error("[plugins]\ndir = [\"/opt\"]\n") == "test.toml:2:7: plugins.dir: unknown key");
    CHECK(parse_error("[log]\nformat = \"json\"\n") == "test.toml:2:10: log.format: unknown key");
    CHECK(parse_error("[limits]\nmax_bytes = 10\n") == "test.toml:2:13: limits.max_bytes: unknown key");
}

TEST_CASE("config: an unknown table is an error naming it", "[config]") {
    CHECK_THAT(parse_error("[servers]\nlisten = []\n"), Catch::EndsWith(": servers: unknown key"));
    CHECK_THAT(parse_error("[servers]\nlisten = []\n"), Catch::StartsWith("test.toml:1:"));
}

// ---- errors: listen addresses --------------------------------------------------------------

TEST_CASE("config: a bad listen address is an error quoting it", "[config]") {
    CHECK(parse_error("[server]\nlisten = [\"tcp://host\"]\n") == R"(test.toml:2:10: server.listen: "tcp://host": expected host:port)");
    CHECK(parse_error("[server]\nlisten = [\"unix:relative\"]\n") ==
          R"(test.toml:2:10: server.listen: "unix:relative": a unix socket needs an absolute path (unix:///run/plugrpcd.sock))");
}

TEST_CASE("config: listen addresses: tcp, bare host:port, IPv6 and unix forms", "[config]") {
    std::string why;
    auto a = parse_listen_address("127.0.0.1:1234", why);
    REQUIRE(a);
    CHECK(a->kind == ListenAddress::Kind::Tcp);
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 1234);

    auto v6 = parse_listen_address("tcp://[::1]:80", why);
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 80);

    auto any = parse_listen_address("tcp://:1234", why);
    REQUIRE(any);
    CHECK(any->host == "0.0.0.0");

    auto u1 = parse_listen_address("unix:///run/p.sock", why);
    REQUIRE(u1);
    CHECK(u1->kind == ListenAddress::Kind::Unix);
    CHECK(u1->path == "/run/p.sock");
    auto u2 = parse_listen_address("unix:/run/p.sock", why);
    REQUIRE(u2);
    CHECK(u2->path == "/run/p.sock");
}

TEST_CASE("config: listen addresses without a port or with a bad port are refused", "[config]") {
    CHECK(listen_error("tcp://host") == "expected host:port");
    CHECK(listen_error("localhost") == "expected host:port");
    CHECK(listen_error("tcp://host:") == "port must be a number from 0 to 65535");
    CHECK(listen_error("tcp://host:65536") == "port must be a number from 0 to 65535");
    CHECK(listen_error("tcp://host:http") == "port must be a number from 0 to 65535");
    CHECK(listen_error("tcp://host:-1") == "port must be a number from 0 to 65535");
    CHECK(listen_error("tcp://host:123456") == "port must be a number from 0 to 65535");
}

TEST_CASE("config: unix socket paths must be absolute and fit sun_path", "[config]") {
    CHECK(listen_error("unix:relative") == "a unix socket needs an absolute path (unix:///run/plugrpcd.sock)");
    CHECK(listen_error("unix://relative") == "a unix socket needs an absolute path (unix:///run/plugrpcd.sock)");
    CHECK(listen_error("unix:") == "a unix socket needs an absolute path (unix:///run/plugrpcd.sock)");
    CHECK(listen_error("unix:///" + std::string(120, 'x')) == "unix socket path longer than 107 bytes");
}

TEST_CASE("config: other URL schemes are refused", "[config]") {
    CHECK(listen_error("http://host:80") == "unknown scheme (use tcp://, tls:// or unix://)");
}

// ---- errors: TOML syntax ---------------------------------------------------------------------

TEST_CASE("config: a TOML syntax error names the source and line", "[config]") {
    std::string why = parse_error("[server]\nthreads = 4\nlisten = [\"tcp://x:1\"\n");
    CHECK_THAT(why, Catch::StartsWith("test.toml:3:") || Catch::StartsWith("test.toml:4:"));
    std::string eq = parse_error("[server]\n\nthreads 4\n");
    CHECK_THAT(eq, Catch::StartsWith("test.toml:3:"));
}

TEST_CASE("config: a key given twice is a TOML error naming the line", "[config]") {
    CHECK_THAT(parse_error("[server]\nthreads = 1\nthreads = 2\n"), Catch::StartsWith("test.toml:3:"));
}

// ---- files ------------------------------------------------------------------------------------

TEST_CASE("config: a file that cannot be opened is an error naming it", "[config]") {
    ConfigResult r = load_config("/nonexistent/plugrpcd.toml");
    CHECK_FALSE(r.config);
    CHECK(r.error == "/nonexistent/plugrpcd.toml: cannot open: No such file or directory");
}

TEST_CASE("config: errors in a loaded file name that file", "[config]") {
    auto path = std::filesystem::temp_directory_path() / ("plugrpc_config_test_" + std::to_string(::getpid()) + ".toml");
    {
        std::ofstream out(path);
        out << "[server]\nlisten = 1234\n";
    }
    ConfigResult r = load_config(path);
    std::filesystem::remove(path);
    CHECK_FALSE(r.config);
    CHECK(r.error == path.string() + ":2:10: server.listen: expected an array of strings, got an integer");
}

TEST_CASE("config: rpc_path and debug_path may not be the same path", "[config]") {
    auto r = plugrpc::parse_config("[server]\nrpc_path = \"/x\"\ndebug_path = \"/x\"\n", "same.toml");
    REQUIRE_FALSE(r.config);
    CHECK(r.error.find("same.toml:3") == 0);
    CHECK(r.error.find("server.debug_path: must differ from server.rpc_path") != std::string::npos);
}

// ---- tls -----------------------------------------------------------------------------

TEST_CASE("config: tls://host:port is a TLS listener", "[config]") {
    std::string why;
    auto a = parse_listen_address("tls://[::1]:8443", why);
    REQUIRE(a);
    CHECK(a->kind == ListenAddress::Kind::Tls);
    CHECK(a->host == "::1");
    CHECK(a->port == 8443);
    CHECK(listen_error("ftp://x:1") == "unknown scheme (use tcp://, tls:// or unix://)");
}

TEST_CASE("config: [tls] files are taken from the config file's folder unless absolute", "[config]") {
    ConfigResult r = parse_config("[tls]\ncert_file = \"tls/cert.pem\"\nkey_file = \"/abs/key.pem\"\n", "/etc/plugrpcd/plugrpcd.toml");
    REQUIRE(r.config);
    CHECK(r.config->tls_cert_file == "/etc/plugrpcd/tls/cert.pem");
    CHECK(r.config->tls_key_file == "/abs/key.pem");
}

TEST_CASE("config: an unknown [tls] key is an error naming it", "[config]") {
    CHECK_THAT(parse_error("[tls]\ncert = \"x\"\n"), Catch::Contains("tls.cert: unknown key"));
}

} // namespace unit_config

namespace unit_config {

TEST_CASE("config: call_timeout defaults to 60 s, 0 turns it off, call_timeouts by method or service", "[config]") {
    CHECK(parse_ok("").limits.call_timeout == 60s);
    CHECK(parse_ok("").limits.call_timeouts.empty());
    CHECK(parse_ok("[limits]\ncall_timeout = 0\n").limits.call_timeout == 0ms);
    Config c = parse_ok("[limits]\ncall_timeout = \"250ms\"\n[limits.call_timeouts]\n"
                        "\"Slow.Sleep\" = \"5m\"\nReports = 0\n");
    CHECK(c.limits.call_timeout == 250ms);
    REQUIRE(c.limits.call_timeouts.size() == 2);
    CHECK(c.limits.call_timeouts.at("Slow.Sleep") == 5min);
    CHECK(c.limits.call_timeouts.at("Reports") == 0ms);
}

TEST_CASE("config: bad call_timeouts entries are errors naming the key", "[config]") {
    CHECK_THAT(parse_error("[limits]\ncall_timeouts = 5\n"), Catch::Contains("limits.call_timeouts"));
    CHECK_THAT(parse_error("[limits.call_timeouts]\n\"Slow.Sleep\" = \"soon\"\n"),
               Catch::Contains("limits.call_timeouts.Slow.Sleep") && Catch::Contains("duration"));
    CHECK_THAT(parse_error("[limits.call_timeouts]\n\"Slow Sleep\" = 1\n"),
               Catch::Contains("Service.Method"));
    CHECK_THAT(parse_error("[limits.call_timeouts]\n\".Sleep\" = 1\n"), Catch::Contains("Service.Method"));
}

TEST_CASE("config: [jsonrpc] default_service names the service of flat JSON-RPC 2.0 names", "[config]") {
    CHECK(parse_ok("").jsonrpc_default_service.empty());
    CHECK(parse_ok("[jsonrpc]\ndefault_service = \"Spec\"\n").jsonrpc_default_service == "Spec");
    CHECK(parse_ok("[jsonrpc]\ndefault_service = \"a.b_1\"\n").jsonrpc_default_service == "a.b_1");
    CHECK(parse_error("[jsonrpc]\ndefault_service = 7\n") == "test.toml:2:19: jsonrpc.default_service: expected a string, got an integer");
    CHECK(parse_error("[jsonrpc]\ndefault_service = \"a b\"\n") ==
          "test.toml:2:19: jsonrpc.default_service: expected a service name (letters, digits, '_' and '.'), got \"a b\"");
    CHECK(parse_error("[jsonrpc]\ndefault_service = \"rpc\"\n") ==
          "test.toml:2:19: jsonrpc.default_service: \"rpc\" is reserved by JSON-RPC 2.0 (no plugin may serve it)");
    CHECK(parse_error("[jsonrpc]\ndefault = \"x\"\n").find("jsonrpc.default") != std::string::npos);
}

TEST_CASE("config: [plugins] isolate, overridden by [plugin.<name>] isolate, max_memory, neither reaches the plugin", "[config]") {
    Config c = parse_ok("[plugins]\nisolate = true\n[plugin.arith]\nisolate = false\nA = 1\n[plugin.rogue]\nmax_memory = \"64MiB\"\n");
    CHECK(c.isolate);
    CHECK_FALSE(c.isolated("arith"));
    CHECK(c.isolated("rogue"));
    CHECK(c.isolated("other"));
    CHECK(c.plugin_hosting.at("rogue").max_memory == 64u << 20);
    CHECK(boost::json::serialize(c.plugin_configs) == R"({"arith":{"A":1},"rogue":{}})");
    Config d = parse_ok("[plugin.arith]\nisolate = true\n");
    CHECK_FALSE(d.isolate);
    CHECK(d.isolated("arith"));
    CHECK_FALSE(d.isolated("rogue"));
    CHECK(parse_ok("[plugin.a]\nmax_memory = 1073741824\n").plugin_hosting.at("a").max_memory == 1u << 30);
    CHECK(parse_ok("[plugin.a]\nmax_memory = \"1GiB\"\n").plugin_hosting.at("a").max_memory == 1u << 30);
    CHECK(parse_ok("[plugin.a]\nmax_memory = \"500MB\"\n").plugin_hosting.at("a").max_memory == 500000000u);
}

TEST_CASE("config: bad isolate and max_memory values are errors naming the key", "[config]") {
    CHECK(parse_error("[plugins]\nisolate = 1\n") == "test.toml:2:11: plugins.isolate: expected true or false, got an integer");
    CHECK(parse_error("[plugin.arith]\nisolate = \"yes\"\n") ==
          "test.toml:2:11: plugin.arith.isolate: expected true or false, got a string");
    CHECK(parse_error("[plugin.arith]\nmax_memory = \"lots\"\n") ==
          "test.toml:2:14: plugin.arith.max_memory: expected a size of at least 16 MiB, like \"256MiB\" or \"1GiB\"");
    CHECK(parse_error("[plugin.arith]\nmax_memory = 1024\n") ==
          "test.toml:2:14: plugin.arith.max_memory: expected a size of at least 16 MiB, like \"256MiB\" or \"1GiB\"");
    CHECK(parse_error("[plugin.arith]\nmax_memory = true\n") ==
          "test.toml:2:14: plugin.arith.max_memory: expected a size, got a boolean");
}

TEST_CASE("config: [plugin.<name>] max_cpu is a number of cores above 0, kept from the plugin", "[config]") {
    Config c = parse_ok("[plugin.rogue]\nmax_cpu = 0.5\nB = 2\n[plugin.busy]\nmax_cpu = 2\n");
    CHECK(c.plugin_hosting.at("rogue").max_cpu == 0.5);
    CHECK(c.plugin_hosting.at("busy").max_cpu == 2.0);
    CHECK(boost::json::serialize(c.plugin_configs) == R"({"busy":{},"rogue":{"B":2}})");
    const std::string why = "expected the CPU cores its process may use, averaged over 10 s, such as 0.5 or 2";
    CHECK(parse_error("[plugin.arith]\nmax_cpu = 0\n") == "test.toml:2:11: plugin.arith.max_cpu: " + why);
    CHECK(parse_error("[plugin.arith]\nmax_cpu = -1.5\n") == "test.toml:2:11: plugin.arith.max_cpu: " + why);
    CHECK(parse_error("[plugin.arith]\nmax_cpu = \"half\"\n") == "test.toml:2:11: plugin.arith.max_cpu: " + why);
    CHECK(parse_error("[plugin.arith]\nmax_cpu = nan\n") == "test.toml:2:11: plugin.arith.max_cpu: " + why);
}

TEST_CASE("config: [plugins] init_timeout defaults to 30 s, is a duration, and at least 1 ms", "[config]") {
    CHECK(parse_ok("").init_timeout == std::chrono::seconds(30));
    CHECK(parse_ok("[plugins]\ninit_timeout = \"500ms\"\n").init_timeout == std::chrono::milliseconds(500));
    CHECK(parse_ok("[plugins]\ninit_timeout = 2\n").init_timeout == std::chrono::seconds(2));
    CHECK(parse_error("[plugins]\ninit_timeout = 0\n") == "test.toml:2:16: plugins.init_timeout: must be at least \"1ms\"");
    CHECK(parse_error("[plugins]\ninit_timeout = \"soon\"\n").find("plugins.init_timeout") != std::string::npos);
}

} // namespace unit_config
