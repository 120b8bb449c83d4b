// The acceptance test of etcd:// targets: three plugrpcd registered in a
// real etcd, the C++ client spreading calls over them, one drained with
// SIGTERM under load. It withdraws from etcd before anything closes, and
// no call fails.
#include "etcd_server.hpp"

#include "arith_types.hpp"

#include <plugrpc/client/client.hpp>

#include <catch2/catch.hpp>

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

namespace balancing_test {

using namespace plugrpc::test;
namespace client = plugrpc::client;

constexpr const char* kPrefix = "/acceptance";

// Arith.Multiply calls the daemon answered, from its /metrics.
std::uint64_t multiplied(const Daemon& d) {
    HttpClient http(d.port());
    std::string body = http.get("/metrics").body;
    const std::string line = "plugrpc_calls_total{service=\"Arith\",method=\"Multiply\",outcome=\"ok\"} ";
    auto at = body.find(line);
    if (at == std::string::npos) throw HarnessError("no Multiply count in /metrics:\n" + body);
    return std::stoull(body.substr(at + line.size()));
}

std::string key_of(const Daemon& d) { return std::string(kPrefix) + "/Arith/127.0.0.1:" + std::to_string(d.port()); }

TEST_CASE("calls to an etcd:// target spread over 3 daemons, and none fails while one drains") {
    EtcdServer etcd;
    std::vector<std::unique_ptr<Daemon>> daemons;
    for (int i = 0; i < 3; ++i) {
        DaemonOptions o;
        o.extra_config = etcd.registry_config(kPrefix, "10s");
        // Serving on after the withdrawal, for clients to read etcd again (every 200 ms here).
        o.server_config = "drain_delay = \"1s\"\n";
        daemons.push_back(std::make_unique<Daemon>(o));
    }
    REQUIRE(eventually([&] { return etcd.list(std::string(kPrefix) + "/Arith/").size() == 3; }, 15s));

    client::Options options;
    options.resolve_interval = std::chrono::milliseconds(200);
    options.call_timeout = std::chrono::milliseconds(10000);
    auto c = client::Client::connect("etcd://127.0.0.1:" + std::to_string(etcd.client_port()) + kPrefix + "/Arith",
                                     options);
    if (!c) FAIL("connect: " << c.error().message);

    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> ok{0}, failed{0};
    std::mutex mu;
    std::vector<std::string> failures;
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t)
        callers.emplace_back([&, t] {
            for (std::int64_t i = 0; !stop.load(); ++i) {
                auto r = c->call<std::int64_t>("Arith.Multiply", Args{i, t + 1});
                if (r && *r == i * (t + 1)) {
                    ok.fetch_add(1);
                    continue;
                }
                failed.fetch_add(1);
                std::lock_guard lock(mu);
                if (failures.size() < 5) failures.push_back(r ? "wrong product" : r.error().message);
            }
        });
    auto stop_callers = [&] {
        stop.store(true);
        for (auto& t : callers)
            if (t.joinable()) t.join();
    };

    try {
        std::this_thread::sleep_for(1500ms);
        Daemon& drained = *daemons[0];
        std::uint64_t drained_calls = multiplied(drained);
        ::kill(drained.pid(), SIGTERM);
        // Gone from etcd while it still serves (its drain_delay), long before its 10 s lease would end.
        bool withdrawn = eventually([&] { return !etcd.get(key_of(drained)).has_value(); }, 5s);
        bool serving_then = drained.running();
        auto status = drained.wait_exit(15s);
        std::this_thread::sleep_for(1000ms); // the other two serve on alone
        stop_callers();

        std::uint64_t second = multiplied(*daemons[1]), third = multiplied(*daemons[2]);
        std::printf("balancing_test: %llu calls ok, %llu failed; Arith.Multiply per daemon: %llu (drained, before "
                    "its SIGTERM), %llu, %llu\n",
                    static_cast<unsigned long long>(ok.load()), static_cast<unsigned long long>(failed.load()),
                    static_cast<unsigned long long>(drained_calls), static_cast<unsigned long long>(second),
                    static_cast<unsigned long long>(third));
        std::string log = drained.log();
        INFO(log);
        for (const auto& f : failures) UNSCOPED_INFO("failure: " << f);
        CHECK(withdrawn);
        CHECK(serving_then);
        REQUIRE(status);
        CHECK(*status == 0);
        // Withdrawn first: before the stop's first step.
        auto withdrew_at = log.find("registry: withdrawn from etcd: 1 keys");
        auto stopping_at = log.find("SIGTERM: stopping");
        REQUIRE(withdrew_at != std::string::npos);
        REQUIRE(stopping_at != std::string::npos);
        CHECK(withdrew_at < stopping_at);
        CHECK(drained_calls > 0);
        CHECK(second > 0);
        CHECK(third > 0);
        CHECK(ok.load() > 0);
        CHECK(failed.load() == 0);
    } catch (...) {
        stop_callers();
        throw;
    }
}

} // namespace balancing_test
