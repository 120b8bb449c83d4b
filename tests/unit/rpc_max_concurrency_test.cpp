// max_concurrency: a method's place among its calls in flight is taken
// when a call starts and given back on every path a call ends — answered,
// failed without an answer, thrown, timed out, cancelled at a stop — so
// a limit never leaks shut. Beyond the limit a call fails at once as
// Overloaded, with a text naming the method and the limit.
#include "rpc_test_support.hpp"
#include "server/plugin/loaded_plugin.hpp"
#include "server/rpc/dispatcher.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_rpc_max_concurrency {

using namespace plugrpc;
using namespace std::chrono_literals;
using rpctest::host;
using rpctest::method;

namespace {

std::mutex g_mu;
std::vector<plrpc_call*> g_waiting; // calls of Never, to answer by hand

int never(void*, plrpc_call* call, const char*, size_t) {
    std::lock_guard lock(g_mu);
    g_waiting.push_back(call);
    return PLRPC_PENDING;
}
int echo(void*, plrpc_call* call, const char*, size_t) { return host().reply_json(call, "1", 1); }
int fails(void*, plrpc_call*, const char*, size_t) { return PLRPC_ERROR; }
int throws(void*, plrpc_call*, const char*, size_t) { throw std::runtime_error("on purpose"); }


struct Harness {
    Dispatcher dispatcher{1, 1};
    rpctest::Outcomes outcomes;

    Harness() {
        g_waiting.clear();
        auto plugin = std::make_shared<LoadedPlugin>();
        plugin->name = "test";
        plugin->file = "/plugins/test.so";
        plugin->methods = {method("Never", never), method("Echo", echo), method("Fails", fails),
                           method("Throws", throws)};
        auto registry = std::make_shared<Registry>();
        std::string error;
        REQUIRE(registry->add_plugin(plugin, error));
        dispatcher.publish(registry);
    }
    ~Harness() { dispatcher.join(); }

    void call(std::string_view name) {
        dispatcher.call(name, boost::json::value{{"A", 1}}, ParamsShape::Value, outcomes.sink());
    }
    std::int64_t running(std::string_view name) { return dispatcher.registry()->find(name).method->stats->inflight.load(); }
    std::uint64_t overloaded(std::string_view name) {
        return dispatcher.registry()->find(name).method->stats->overloaded.load();
    }
    void answer_one() {
        plrpc_call* c = nullptr;
        {
            std::lock_guard lock(g_mu);
            REQUIRE(!g_waiting.empty());
            c = g_waiting.front();
            g_waiting.erase(g_waiting.begin());
        }
        REQUIRE(host().reply_json(c, "7", 1) == PLRPC_OK);
    }
};

} // namespace

TEST_CASE("max_concurrency: beyond the limit a call fails at once as overloaded, naming method and limit", "[rpc]") {
    Harness h;
    h.dispatcher.set_max_concurrency({{"Test.Never", 2}});
    h.call("Test.Never");
    h.call("Test.Never");
    CHECK(h.outcomes.size() == 0);
    CHECK(h.running("Test.Never") == 2);
    h.call("Test.Never");
    REQUIRE(h.outcomes.size() == 1);
    CHECK(h.outcomes.got[0].kind == Outcome::Kind::Overloaded);
    CHECK(h.outcomes.got[0].error == "plugrpc: Test.Never overloaded: 2 calls in flight (max_concurrency 2)");
    CHECK(h.running("Test.Never") == 2);
    CHECK(h.overloaded("Test.Never") == 1);
    CHECK(h.dispatcher.overload_refusals() == 1);
    CHECK(h.dispatcher.inflight() == 2);
    // Other methods are not held by it.
    h.call("Test.Echo");
    REQUIRE(h.outcomes.wait(2));
    CHECK(h.outcomes.got[1].kind == Outcome::Kind::Ok);
    // An answer gives the place back.
    h.answer_one();
    REQUIRE(h.outcomes.wait(3));
    CHECK(h.running("Test.Never") == 1);
    h.call("Test.Never");
    CHECK(h.outcomes.size() == 3);
    CHECK(h.running("Test.Never") == 2);
}

TEST_CASE("max_concurrency: a \"Service\" entry limits each of its methods, \"Service.Method\" overrides it, 0 is none",
          "[rpc]") {
    Harness h;
    h.dispatcher.set_max_concurrency({{"Test", 1}, {"Test.Echo", 0}});
    CHECK(h.dispatcher.max_concurrency(*h.dispatcher.registry()->find("Test.Never").method) == 1);
    CHECK(h.dispatcher.max_concurrency(*h.dispatcher.registry()->find("Test.Echo").method) == 0);
    h.call("Test.Never");
    h.call("Test.Never");
    REQUIRE(h.outcomes.wait(1));
    CHECK(h.outcomes.got[0].kind == Outcome::Kind::Overloaded);
    h.dispatcher.set_max_concurrency({});
    h.call("Test.Never");
    CHECK(h.outcomes.size() == 1);
    CHECK(h.running("Test.Never") == 2);
}

TEST_CASE("max_concurrency: the place is given back when a call fails, throws, times out or is cancelled", "[rpc]") {
    Harness h;
    h.dispatcher.set_max_concurrency({{"Test", 1}});
    h.dispatcher.set_call_timeouts(0ms, {{"Test.Never", 50ms}});
    for (const char* name : {"Test.Fails", "Test.Throws", "Test.Fails", "Test.Throws"}) h.call(name);
    REQUIRE(h.outcomes.wait(4));
    for (const auto& o : h.outcomes.got) CHECK(o.kind == Outcome::Kind::Internal);
    CHECK(h.running("Test.Fails") == 0);
    CHECK(h.running("Test.Throws") == 0);
    CHECK(h.dispatcher.overload_refusals() == 0);

    h.call("Test.Never"); // times out after 50 ms
    REQUIRE(h.outcomes.wait(5));
    CHECK(h.outcomes.got[4].kind == Outcome::Kind::Timeout);
    CHECK(h.running("Test.Never") == 0);

    h.dispatcher.set_call_timeouts(0ms, {});
    h.call("Test.Never"); // waits until the stop cancels it
    CHECK(h.outcomes.size() == 5);
    CHECK(h.running("Test.Never") == 1);
    h.dispatcher.join();
    REQUIRE(h.outcomes.size() == 6);
    CHECK(h.outcomes.got[5].kind == Outcome::Kind::Cancelled);
    CHECK(h.running("Test.Never") == 0);
    CHECK(h.dispatcher.inflight() == 0);
}

} // namespace unit_rpc_max_concurrency
