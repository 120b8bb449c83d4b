// plugrpcd registers what it serves in a real etcd ([registry]): keys,
// values, the lease's refresh and expiry, reloads, an etcd that is late.
#include "etcd_server.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <signal.h>

#include <cstdio>
#include <fstream>

namespace registration_test {

using namespace plugrpc::test;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

std::string key(const std::string& prefix, const std::string& service, const Daemon& d) {
    return prefix + "/" + service + "/127.0.0.1:" + std::to_string(d.port());
}

DaemonOptions registered(const EtcdServer& etcd, const std::string& prefix, const std::string& ttl = "10s") {
    DaemonOptions o;
    o.extra_config = etcd.registry_config(prefix, ttl);
    return o;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

TEST_CASE("plugrpcd registers each service it serves under the prefix, with its address, pid and protocols") {
    EtcdServer etcd;
    Daemon d(registered(etcd, "/t1"));
    std::optional<std::string> value;
    REQUIRE(eventually([&] { return (value = etcd.get(key("/t1", "Arith", d))).has_value(); }, 10s));
    INFO(*value);
    json::object v = json::parse(*value).as_object();
    CHECK(v.at("address").as_string() == "tcp://127.0.0.1:" + std::to_string(d.port()));
    CHECK(v.at("pid").to_number<std::int64_t>() == d.pid());
    CHECK(v.at("rpc_path").as_string() == "/_goRPC_");
    CHECK(v.at("protocols").as_array().size() == 4);
    CHECK(etcd.list("/t1/").size() == 1);
    REQUIRE(d.wait_for_log("registry: registered 1 services as 127.0.0.1:" + std::to_string(d.port())));
    // The debug page says where it is registered.
    HttpClient http(d.port());
    std::string page = http.get("/debug/rpc").body;
    INFO(page);
    CHECK(contains(page, "registered 1 services as 127.0.0.1:" + std::to_string(d.port()) + " under /t1"));
    std::string metrics = http.get("/metrics").body;
    CHECK(contains(metrics, "\nplugrpc_registry_registered 1\n"));
    CHECK(contains(metrics, "\nplugrpc_registry_keys 1\n"));
    CHECK(contains(metrics, "\nplugrpc_registry_leases_total 1\n"));
}

TEST_CASE("the registration lives past its TTL while the daemon runs, and expires after a kill -9") {
    EtcdServer etcd;
    Daemon d(registered(etcd, "/t2", "2s"));
    std::string k = key("/t2", "Arith", d);
    REQUIRE(eventually([&] { return etcd.get(k).has_value(); }, 10s));
    // Three TTLs: only the refresh (every ttl/3) keeps the key.
    std::this_thread::sleep_for(6s);
    CHECK(etcd.get(k).has_value());
    CHECK_FALSE(contains(d.log(), "lost lease"));

    ::kill(d.pid(), SIGKILL);
    auto killed = Clock::now();
    d.wait_exit(5s);
    REQUIRE(eventually([&] { return !etcd.get(k).has_value(); }, 15s));
    std::printf("registration_test: the key of a killed daemon expired %.1f s after the kill (ttl 2 s)\n",
                seconds_since(killed));
}

TEST_CASE("reloads and dropped-in plugins put new services and delete removed ones") {
    EtcdServer etcd;
    Daemon d(registered(etcd, "/t3"));
    REQUIRE(eventually([&] { return etcd.get(key("/t3", "Arith", d)).has_value(); }, 10s));

    // A plugin dropped into the folder: its service is registered too.
    std::filesystem::copy_file(slow_plugin(), d.plugin_dir() / "slow.so");
    CHECK(eventually([&] { return etcd.get(key("/t3", "Slow", d)).has_value(); }, 10s));
    // A plugin removed, then SIGHUP: its service's key goes, the other stays.
    std::filesystem::remove(d.plugin_dir() / "arith.so");
    ::kill(d.pid(), SIGHUP);
    CHECK(eventually([&] { return !etcd.get(key("/t3", "Arith", d)).has_value(); }, 10s));
    CHECK(etcd.get(key("/t3", "Slow", d)).has_value());

    // A new prefix in the config: the keys move there on SIGHUP.
    std::string config = read_file(d.config_file());
    config.replace(config.find("\"/t3\""), 5, "\"/t3b\"");
    std::ofstream(d.config_file()) << config;
    ::kill(d.pid(), SIGHUP);
    CHECK(eventually([&] { return etcd.get(key("/t3b", "Slow", d)).has_value(); }, 10s));
    CHECK(eventually([&] { return etcd.list("/t3/").empty(); }, 10s));
    INFO(d.log());
    CHECK(d.stop() == 0);
    CHECK(etcd.list("/t3b/").empty()); // withdrawn at the stop, not left to expire
}

TEST_CASE("a daemon started while etcd is down serves at once and registers when etcd comes up") {
    EtcdServer etcd(false);
    auto started = Clock::now();
    Daemon d(registered(etcd, "/t4", "3s"));
    std::printf("registration_test: plugrpcd listening %.2f s after its start with etcd down\n", seconds_since(started));
    Connection c = Connection::tcp(d.port());
    c.send_line(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})");
    CHECK(c.recv_line() == R"({"jsonrpc":"2.0","result":56,"id":1})");
    REQUIRE(d.wait_for_log("registry: lease grant: ", 10s));
    HttpClient http(d.port());
    std::string metrics = http.get("/metrics").body;
    CHECK(contains(metrics, "\nplugrpc_registry_registered 0\n"));
    CHECK_FALSE(contains(metrics, "\nplugrpc_registry_failures_total 0\n"));

    etcd.start();
    auto up = Clock::now();
    CHECK(eventually([&] { return etcd.get(key("/t4", "Arith", d)).has_value(); }, 15s));
    CHECK(eventually([&] { return contains(http.get("/metrics").body, "\nplugrpc_registry_registered 1\n"); }, 5s));
    std::printf("registration_test: registered %.2f s after etcd came up\n", seconds_since(up));
}

TEST_CASE("plugrpcd -t shows the registration it would make, and refuses a wildcard listener without advertise") {
    TempDir dir;
    auto ok = dir.write("ok.toml", "[server]\nlisten = [\"tcp://127.0.0.1:7001\"]\n[plugins]\ndirs = []\n"
                                   "[registry]\netcd = [\"http://127.0.0.1:2379\"]\n");
    RunResult r = run_plugrpcd({"-t", "-c", ok.string()});
    INFO(r.out << r.err);
    CHECK(contains(r.out, "registry: etcd http://127.0.0.1:2379, keys /plugrpc/services/<Service>/127.0.0.1:7001, ttl 10s"));

    auto wildcard = dir.write("wild.toml", "[server]\nlisten = [\"tcp://0.0.0.0:7001\"]\n[plugins]\ndirs = []\n"
                                           "[registry]\netcd = [\"http://127.0.0.1:2379\"]\n");
    r = run_plugrpcd({"-t", "-c", wildcard.string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "registry.advertise: needed: the first tcp listener (tcp://0.0.0.0:7001) is a wildcard"));

    // A --listen flag is checked the same way.
    r = run_plugrpcd({"-t", "-c", ok.string(), "--listen", "tcp://[::]:7002"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "registry.advertise: needed"));
}

} // namespace registration_test
