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

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace integration_isolate_supervisor {

using namespace plugrpc;
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

// Outcomes as they complete, on whatever thread completes them.
struct Outcomes {
    struct Got {
        Outcome outcome;
        std::thread::id thread;
    };
    Completion expect(std::size_t index) {
        return [this, index](Outcome&& o) {
            std::lock_guard lock(mu);
            got[index] = Got{std::move(o), std::this_thread::get_id()};
            ++done;
            cv.notify_all();
        };
    }
    explicit Outcomes(std::size_t n) : got(n) {}
    bool wait_all(std::chrono::seconds limit) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, limit, [&] { return done == got.size(); });
    }
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Got> got;
    std::size_t done = 0;
};

} // namespace

TEST_CASE("isolated plugin called from threads that run no network loop: its supervisor reads every answer") {
    Served arith(PLUGRPC_TEST_ARITH_PLUGIN);
    MethodPtr multiply = arith.method("Arith.Multiply");
    constexpr int kThreads = 4, kCalls = 250;
    Outcomes outcomes(kThreads * kCalls);
    std::set<std::thread::id> callers;
    {
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kCalls; ++i) {
                    int n = t * kCalls + i;
                    arith.dispatcher.invoke(multiply, json::object{{"A", n}, {"B", -3}}, outcomes.expect(n));
                }
            });
            callers.insert(threads.back().get_id());
        }
        for (auto& t : threads) t.join();
    }
    REQUIRE(outcomes.wait_all(30s));
    std::set<std::thread::id> completers;
    int wrong = 0;
    for (std::size_t n = 0; n < outcomes.got.size(); ++n) {
        const auto& g = outcomes.got[n];
        if (!g.outcome.ok() || g.outcome.result != json::value(std::int64_t(n) * -3)) {
            if (++wrong <= 3) FAIL_CHECK("call " << n << ": " << (g.outcome.ok() ? json::serialize(g.outcome.result) : g.outcome.error));
        }
        completers.insert(g.thread);
    }
    CHECK(wrong == 0);
    // Answered on the supervisor's thread: one thread, none of the callers.
    CHECK(completers.size() == 1);
    for (auto id : completers) CHECK(callers.count(id) == 0);
}

TEST_CASE("isolated plugin read by its supervisor: a crash fails its call naming the signal, and the restarted child answers") {
    Served rogue(PLUGRPC_TEST_ROGUE_PLUGIN);
    // abort(): a sanitizer in the child would catch a SIGSEGV and exit instead.
    MethodPtr abort_now = rogue.method("Rogue.Abort");
    MethodPtr codes = rogue.method("Rogue.Codes");
    {
        Outcomes first(1);
        rogue.dispatcher.invoke(codes, json::object{}, first.expect(0));
        REQUIRE(first.wait_all(30s));
        REQUIRE(first.got[0].outcome.ok());
    }
    Outcomes crash(1);
    rogue.dispatcher.invoke(abort_now, json::object{{"Millis", 0}}, crash.expect(0));
    REQUIRE(crash.wait_all(30s));
    const Outcome& o = crash.got[0].outcome;
    CHECK(o.kind == Outcome::Kind::Internal);
    CHECK(o.error == "plugin rogue crashed in Rogue.Abort: signal 6 (SIGABRT)");
    // Calls fail fast while it restarts (a backoff of 100 ms), then it answers again.
    bool answered = false;
    for (auto until = std::chrono::steady_clock::now() + 20s; !answered && std::chrono::steady_clock::now() < until;) {
        Outcomes again(1);
        rogue.dispatcher.invoke(codes, json::object{}, again.expect(0));
        REQUIRE(again.wait_all(30s));
        answered = again.got[0].outcome.ok();
        if (!answered) {
            CHECK_THAT(again.got[0].outcome.error, Catch::Contains("restarting"));
            std::this_thread::sleep_for(20ms);
        }
    }
    CHECK(answered);
}

} // namespace integration_isolate_supervisor
