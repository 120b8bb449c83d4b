// Behind a load balancer: /livez and /readyz, drain_delay (readiness fails
// first, serving goes on), a drain that closes idle connections at once and
// busy ones after their last answer, and HAProxy's agent check.
#include "arith_types.hpp"
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <plugrpc/client.hpp>

#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <set>
#include <thread>

namespace balancer_test {

using namespace plugrpc::test;

namespace {

// The agent check's port, as the daemon logged it.
std::uint16_t agent_port(const Daemon& d) {
    const std::string marker = "answering HAProxy's agent check on tcp://127.0.0.1:";
    REQUIRE(d.wait_for_log(marker));
    std::string log = d.log();
    return static_cast<std::uint16_t>(std::stoi(log.substr(log.find(marker) + marker.size())));
}

std::string agent_line(std::uint16_t port) {
    Connection c = Connection::tcp(port);
    return c.recv_all(3s);
}

HttpResponse get(const Daemon& d, std::string_view path) {
    HttpClient http(d.port());
    return http.get(path);
}

// Poll `path` until it answers `status`; the last response.
HttpResponse wait_status(const Daemon& d, std::string_view path, int status, Millis limit = 5s) {
    auto until = std::chrono::steady_clock::now() + limit;
    HttpResponse r = get(d, path);
    while (r.status != status && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(20ms);
        r = get(d, path);
    }
    return r;
}

} // namespace

TEST_CASE("/livez and /readyz answer 200 ok while the daemon serves, /healthz as before") {
    Daemon d;
    for (const char* path : {"/livez", "/readyz", "/healthz"}) {
        HttpResponse r = get(d, path);
        INFO(path);
        CHECK(r.status == 200);
        CHECK(r.body == "ok\n");
    }
    HttpClient http(d.port());
    CHECK(http.request("POST", "/readyz", "x").status == 405);
}

TEST_CASE("/readyz is 503 naming a required service no plugin serves, and 200 once a reload loads it") {
    DaemonOptions o;
    o.plugins_config = "required = [\"Arith\", \"Slow\"]\nwatch = false\n";
    Daemon d(o);
    HttpResponse r = get(d, "/readyz");
    CHECK(r.status == 503);
    CHECK(r.body == "required service Slow not served: no plugin loaded provides it\n");
    CHECK(get(d, "/livez").status == 200);
    // Served otherwise: only readiness says it is not whole.
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[6,7],"id":1})") ==
          R"({"jsonrpc":"2.0","result":42,"id":1})");

    std::filesystem::copy_file(slow_plugin(), d.plugin_dir() / "slow.so");
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    r = wait_status(d, "/readyz", 200);
    CHECK(r.status == 200);
    CHECK(r.body == "ok\n");
}

TEST_CASE("plugrpcd -t fails when a required service is served by no plugin") {
    TempDir dir;
    std::filesystem::create_directory(dir.path() / "plugins");
    std::filesystem::permissions(dir.path() / "plugins",
                                 std::filesystem::perms::group_write | std::filesystem::perms::others_write,
                                 std::filesystem::perm_options::remove);
    std::filesystem::copy_file(arith_plugin(), dir.path() / "plugins" / "arith.so");
    auto config = dir.write("plugrpcd.toml", "[plugins]\ndirs = [\"" + (dir.path() / "plugins").string() +
                                                 "\"]\nrequired = [\"Arith\", \"Slow\"]\n");
    RunResult r = run_plugrpcd({"-t", "--config", config.string()});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out, "required service missing: Slow ([plugins] required)"));
    CHECK_FALSE(contains(r.out, "required service missing: Arith"));
}

TEST_CASE("SIGTERM with drain_delay: /readyz fails at once while calls, new connections included, are served") {
    DaemonOptions o;
    o.server_config = "drain_delay = \"2s\"\n";
    Daemon d(o);
    Connection before = Connection::tcp(d.port());
    CHECK(call_line(before, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[2,3],"id":1})") ==
          R"({"jsonrpc":"2.0","result":6,"id":1})");
    REQUIRE(::kill(d.pid(), SIGTERM) == 0);
    HttpResponse r = wait_status(d, "/readyz", 503, 1500ms);
    CHECK(r.status == 503);
    CHECK(r.body == "draining: the server is stopping\n");
    // Still serving, on connections old and new, for drain_delay.
    CHECK(get(d, "/livez").status == 200);
    CHECK(get(d, "/healthz").status == 200);
    CHECK(call_line(before, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[2,4],"id":2})") ==
          R"({"jsonrpc":"2.0","result":8,"id":2})");
    Connection after = Connection::tcp(d.port());
    CHECK(call_line(after, R"({"method":"Arith.Multiply","params":[{"A":2,"B":5}],"id":3})") ==
          R"({"id":3,"result":10,"error":null})");
    CHECK(d.wait_exit(10s) == 0);
    CHECK(d.wait_for_log("serving on for drain_delay (2000 ms)"));
}

TEST_CASE("a drain closes idle connections at once, and a busy one right after its last answer") {
    DaemonOptions o;
    o.plugins = {arith_plugin(), slow_plugin()};
    Daemon d(o);
    // Idle: a JSON stream, a gob-speaking client and an HTTP keep-alive
    // connection, each after one call.
    Connection idle_json = Connection::tcp(d.port());
    CHECK(call_line(idle_json, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[2,3],"id":1})") ==
          R"({"jsonrpc":"2.0","result":6,"id":1})");
    plugrpc::client::Options gob_options;
    gob_options.protocol = plugrpc::client::Protocol::Gob;
    auto idle_gob = plugrpc::client::Client::connect("127.0.0.1:" + std::to_string(d.port()), gob_options);
    REQUIRE(idle_gob.has_value());
    auto product = idle_gob->call<std::int64_t>("Arith.Multiply", Args{3, 4});
    REQUIRE(product.has_value());
    CHECK(*product == 12);
    Connection idle_http = Connection::tcp(d.port());
    idle_http.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(contains(idle_http.recv_until("ok\n"), "200 OK"));
    // Busy: a slow call in flight on a JSON stream and on HTTP.
    Connection busy = Connection::tcp(d.port());
    busy.send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":2500},"id":7})");
    Connection busy_http = Connection::tcp(d.port());
    std::string body = R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":2500},"id":8})";
    busy_http.send("POST /_goRPC_ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
    REQUIRE(busy.quiet_for(300ms)); // the calls reach the plugin

    REQUIRE(::kill(d.pid(), SIGTERM) == 0);
    // The idle ones close while the slow calls still run...
    CHECK(idle_json.closed_by_peer(2s));
    CHECK(idle_http.closed_by_peer(2s));
    for (int i = 0; i < 100 && !idle_gob->is_shut_down(); ++i) std::this_thread::sleep_for(20ms);
    CHECK(idle_gob->is_shut_down());
    // ... and the busy ones get their answers, then the end of the stream.
    CHECK(busy.recv_line(5s) == R"({"jsonrpc":"2.0","result":2500,"id":7})");
    CHECK(busy.closed_by_peer(2s));
    std::string response = busy_http.recv_all(5s);
    CHECK(contains(response, "HTTP/1.1 200 OK"));
    CHECK(contains(response, "Connection: close"));
    CHECK(contains(response, R"({"jsonrpc":"2.0","result":2500,"id":8})"));
    CHECK(d.wait_exit(10s) == 0);
}

TEST_CASE("agent check: 'up ready N%' falling as calls fill max_inflight, 'drain' once a stop begins") {
    DaemonOptions o;
    o.plugins = {arith_plugin(), slow_plugin()};
    o.server_config = "agent_check = \"tcp://127.0.0.1:0\"\ndrain_delay = \"2s\"\n";
    o.extra_config = "[limits]\nmax_inflight = 4\n";
    Daemon d(o);
    std::uint16_t port = agent_port(d);
    CHECK(agent_line(port) == "up ready 100%\n");
    Connection busy = Connection::tcp(d.port());
    busy.send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":1500},"id":1})");
    busy.send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":1500},"id":2})");
    std::string line;
    for (int i = 0; i < 50 && line != "up ready 50%\n"; ++i) {
        std::this_thread::sleep_for(20ms);
        line = agent_line(port);
    }
    CHECK(line == "up ready 50%\n");
    std::set<std::string> answers{busy.recv_line(5s), busy.recv_line(5s)}; // in the order they finish
    CHECK(answers == std::set<std::string>{R"({"jsonrpc":"2.0","result":1500,"id":1})",
                                           R"({"jsonrpc":"2.0","result":1500,"id":2})"});

    REQUIRE(::kill(d.pid(), SIGTERM) == 0);
    for (int i = 0; i < 50 && line != "drain\n"; ++i) {
        std::this_thread::sleep_for(20ms);
        line = agent_line(port);
    }
    CHECK(line == "drain\n");
    CHECK(d.wait_exit(10s) == 0);
}

TEST_CASE("agent check: 'down' while a required service is not served") {
    DaemonOptions o;
    o.server_config = "agent_check = \"tcp://127.0.0.1:0\"\n";
    o.plugins_config = "required = [\"Slow\"]\n";
    Daemon d(o);
    CHECK(agent_line(agent_port(d)) == "down\n");
}

} // namespace balancer_test
