// An isolated plugin's answers read by its supervisor thread
// (server/isolate/isolated_plugin.cpp: ReadBy::Supervisor). The first call
// to an isolated plugin picks who reads its child's answers: the network
// loop it came from, or, when it came from a thread that runs no loop, the
// plugin's supervisor. plugrpcd's calls all come from its loops, so the
// daemon never takes the second path; a program built on the server
// library may. This test takes it: the library's load_isolated() and a
// Dispatcher, called from plain threads, with the real plugin host and
// real plugins.
#include "server/isolate/isolated_plugin.hpp"
#include "server/registry/registry.hpp"
#include "server/rpc/dispatcher.hpp"
#include "tests/unit/rpc_test_support.hpp" // rpctest::Outcomes

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace integration_isolate_supervisor {

using namespace plugrpc;
using rpctest::Outcomes;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// The plugin at `file`, isolated, served by a dispatcher of its own.
struct Served {
    explicit Served(const char* file) {
        isolate::IsolateOptions options;
        options.host_program = PLUGRPC_TEST_PLUGIN_HOST;
        LoadResult r = isolate::load_isolated(file, {}, options);
        INFO(r.error);
        REQUIRE(r.plugin);
        auto registry = std::make_shared<Registry>();
        std::string error;
        REQUIRE(registry->add_plugin(r.plugin, error));
        dispatcher.publish(std::move(registry));
    }
    ~Served() {
        dispatcher.publish(std::make_shared<Registry>()); // the plugin goes, and its child with it
        dispatcher.join();
    }
    MethodPtr method(std::string_view name) {
        MethodPtr m = dispatcher.plugin_method(name);
        REQUIRE(m);
        return m;
    }
    Dispatcher dispatcher{4, 64, 1ms};
};

} // namespace

TEST_CASE("isolated plugin called from threads that run no network loop: its supervisor reads every answer") {
    Served arith(PLUGRPC_TEST_ARITH_PLUGIN);
    MethodPtr multiply = arith.method("Arith.Multiply");
    constexpr int kThreads = 4, kCalls = 250;
    Outcomes outcomes;
    std::set<std::thread::id> callers;
    {
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kCalls; ++i)
                    arith.dispatcher.invoke(multiply, json::object{{"A", t * kCalls + i}, {"B", -3}}, outcomes.sink());
            });
            callers.insert(threads.back().get_id());
        }
        for (auto& t : threads) t.join();
    }
    REQUIRE(outcomes.wait(kThreads * kCalls, 30s));
    // Every product once: -3 times each of 0 .. 999.
    std::vector<std::int64_t> products;
    for (const Outcome& o : outcomes.got) {
        if (!o.ok() || !o.result.is_int64()) {
            FAIL_CHECK((o.ok() ? json::serialize(o.result) : o.error));
            continue;
        }
        products.push_back(o.result.get_int64());
    }
    std::sort(products.begin(), products.end());
    std::vector<std::int64_t> expected;
    for (int n = kThreads * kCalls - 1; n >= 0; --n) expected.push_back(std::int64_t(n) * -3);
    CHECK(products == expected);
    // Answered on the supervisor's thread: one thread, none of the callers.
    std::set<std::thread::id> completers(outcomes.threads.begin(), outcomes.threads.end());
    CHECK(completers.size() == 1);
    for (auto id : completers) CHECK(callers.count(id) == 0);
}

TEST_CASE("isolated plugin read by its supervisor: a crash fails its call naming the signal, and the restarted child answers") {
    Served rogue(PLUGRPC_TEST_ROGUE_PLUGIN);
    // abort(): a sanitizer in the child would catch a SIGSEGV and exit instead.
    MethodPtr abort_now = rogue.method("Rogue.Abort");
    MethodPtr codes = rogue.method("Rogue.Codes");
    {
        Outcomes first;
        rogue.dispatcher.invoke(codes, json::object{}, first.sink());
        REQUIRE(first.wait(1, 30s));
        REQUIRE(first.got[0].ok());
    }
    Outcomes crash;
    rogue.dispatcher.invoke(abort_now, json::object{{"Millis", 0}}, crash.sink());
    REQUIRE(crash.wait(1, 30s));
    const Outcome& o = crash.got[0];
    CHECK(o.kind == Outcome::Kind::Internal);
    CHECK(o.error == "plugin rogue crashed in Rogue.Abort: signal 6 (SIGABRT)");
    // Calls fail fast while it restarts (a backoff of 100 ms), then it answers again.
    bool answered = false;
    for (auto until = std::chrono::steady_clock::now() + 20s; !answered && std::chrono::steady_clock::now() < until;) {
        Outcomes again;
        rogue.dispatcher.invoke(codes, json::object{}, again.sink());
        REQUIRE(again.wait(1, 30s));
        answered = again.got[0].ok();
        if (!answered) {
            CHECK_THAT(again.got[0].error, Catch::Contains("restarting"));
            std::this_thread::sleep_for(20ms);
        }
    }
    CHECK(answered);
}

} // namespace integration_isolate_supervisor
