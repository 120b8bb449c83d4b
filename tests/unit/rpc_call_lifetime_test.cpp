// A call's lifetime through the real dispatcher and host table, with
// handlers written as a careless C plugin would: a call ends exactly once,
// and whatever a plugin does with its handle afterwards — answer again,
// answer late, read arguments, build a reply — is refused with
// PLRPC_INVALID and touches no freed memory (the asan preset checks that).
#include "rpc_test_support.hpp"
#include "server/plugin/loaded_plugin.hpp"
#include "server/rpc/call_table.hpp"
#include "server/rpc/caller_calls.hpp"
#include "server/rpc/dispatcher.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_rpc_call_lifetime {

using namespace plugrpc;
using namespace std::chrono_literals;
using rpctest::host;
using rpctest::method;
using rpctest::Outcomes;

namespace {

// What the handlers saw and were told, for the test to check.
struct Seen {
    std::mutex mu;
    std::vector<plrpc_call*> handles;
    std::vector<int> codes;
    std::vector<std::thread> threads;
    int runs = 0;
    void handle(plrpc_call* h) {
        std::lock_guard lock(mu);
        handles.push_back(h);
        ++runs;
    }
    void code(int c) {
        std::lock_guard lock(mu);
        codes.push_back(c);
    }
    void join() {
        for (auto& t : threads) t.join();
        threads.clear();
    }
};
Seen* g_seen = nullptr;

// Answers, then answers again and uses every helper on the finished call.
int answer_twice(void*, plrpc_call* call, const char*, size_t) {
    g_seen->handle(call);
    g_seen->code(host().reply_json(call, "1", 1));
    g_seen->code(host().reply_json(call, "2", 1));
    g_seen->code(host().reply_error(call, "x", 1));
    std::int64_t v = 0;
    g_seen->code(host().arg_int(call, "A", &v));
    g_seen->code(host().set_int(call, nullptr, 3));
    g_seen->code(host().reply_fields(call));
    return PLRPC_OK;
}

// Returns PENDING; a thread of its own answers twice.
int pending_twice(void*, plrpc_call* call, const char*, size_t) {
    g_seen->handle(call);
    std::lock_guard lock(g_seen->mu);
    g_seen->threads.emplace_back([call] {
        g_seen->code(host().reply_json(call, "1", 1));
        g_seen->code(host().reply_json(call, "2", 1));
        std::int64_t v = 0;
        g_seen->code(host().arg_int(call, "A", &v));
        g_seen->code(host().set_int(call, "A", 3));
    });
    return PLRPC_PENDING;
}

// Returns an error without answering; a thread of its own answers once
// the test has seen the call end (g_later).
std::shared_future<void>* g_later = nullptr;
int error_then_answer(void*, plrpc_call* call, const char*, size_t) {
    std::lock_guard lock(g_seen->mu);
    std::shared_future<void> later = *g_later;
    g_seen->threads.emplace_back([call, later] {
        later.wait();
        g_seen->code(host().reply_json(call, "1", 1));
    });
    return PLRPC_ERROR;
}

int throws(void*, plrpc_call*, const char*, size_t) { throw std::runtime_error("thrown on purpose"); }
int throws_int(void*, plrpc_call*, const char*, size_t) { throw 7; }

// Returns PENDING and never answers; remembers the handle.
int never(void*, plrpc_call* call, const char*, size_t) {
    g_seen->handle(call);
    std::int64_t left = 0;
    // Milliseconds left; -2 for no deadline, -1 if refused.
    int rc = host().call_remaining(call, &left);
    g_seen->code(rc != PLRPC_OK ? -1 : left == INT64_MAX ? -2 : int(left / 1000000));
    return PLRPC_PENDING;
}

// Answers at once with A.
int echo(void*, plrpc_call* call, const char*, size_t) {
    g_seen->handle(call);
    std::int64_t a = 0;
    host().arg_int(call, "A", &a);
    std::string text = std::to_string(a);
    return host().reply_json(call, text.data(), text.size());
}

// Blocks until the test lets it go (a blocking method).
std::shared_future<void>* g_gate = nullptr;
int held(void*, plrpc_call* call, const char*, size_t) {
    g_seen->handle(call);
    g_gate->wait();
    g_seen->code(host().reply_json(call, "5", 1));
    return PLRPC_OK;
}

std::vector<std::uint64_t> g_told;
void told(void*, std::uint64_t token) { g_told.push_back(token); }
// Passes the call on, as an isolated plugin's proxy does (token 77).
int passes_on(void*, plrpc_call* call, const char*, size_t) {
    g_seen->handle(call);
    Call* c = call_table::t_running;
    c->passed_token.store(77);
    c->passed_on.store(&told);
    return PLRPC_PENDING;
}

struct Harness {
    Seen seen;
    Dispatcher dispatcher{1, 1}; // one pool thread that never grows
    Outcomes outcomes;
    std::shared_ptr<Registry> registry;

    Harness() {
        g_seen = &seen;
        auto plugin = std::make_shared<LoadedPlugin>();
        plugin->name = "test";
        plugin->file = "/plugins/test.so";
        using Entry = std::pair<const char*, plrpc_handler_fn>;
        for (auto [name, fn] : {Entry{"AnswerTwice", answer_twice}, Entry{"PendingTwice", pending_twice},
                                Entry{"ErrorThenAnswer", error_then_answer}, Entry{"Throws", throws},
                                Entry{"ThrowsInt", throws_int}, Entry{"Never", never}, Entry{"Echo", echo},
                                Entry{"Fwd", passes_on}})
            plugin->methods.push_back(method(name, fn));
        plugin->methods.push_back(method("Held", held, PLRPC_METHOD_BLOCKING));
        registry = std::make_shared<Registry>();
        std::string error;
        REQUIRE(registry->add_plugin(plugin, error));
        dispatcher.publish(registry);
    }
    ~Harness() {
        seen.join();
        dispatcher.join();
        g_seen = nullptr;
    }
    void call(std::string_view name, std::int64_t a = 0) {
        dispatcher.call(name, boost::json::value{{"A", a}}, ParamsShape::Value, outcomes.sink());
    }
};

} // namespace

TEST_CASE("call lifetime: a second answer on the handler's own thread is refused, as are helpers", "[rpc]") {
    Harness h;
    h.call("Test.AnswerTwice");
    REQUIRE(h.outcomes.wait(1));
    CHECK(h.outcomes.got[0].ok());
    CHECK(h.outcomes.got[0].result == 1);
    CHECK(h.seen.codes == std::vector<int>{PLRPC_OK, PLRPC_INVALID, PLRPC_INVALID, PLRPC_INVALID, PLRPC_INVALID,
                                           PLRPC_INVALID});
    CHECK(h.dispatcher.inflight() == 0);
}

TEST_CASE("call lifetime: answers from a plugin's thread after PENDING: the first is taken, the rest refused", "[rpc]") {
    Harness h;
    constexpr int kCalls = 200;
    for (int i = 0; i < kCalls; ++i) h.call("Test.PendingTwice");
    REQUIRE(h.outcomes.wait(kCalls));
    h.seen.join();
    CHECK(h.outcomes.size() == kCalls);
    std::size_t ok = std::count(h.seen.codes.begin(), h.seen.codes.end(), int(PLRPC_OK));
    std::size_t invalid = std::count(h.seen.codes.begin(), h.seen.codes.end(), int(PLRPC_INVALID));
    CHECK(ok == kCalls);
    CHECK(invalid == 3 * kCalls);
    CHECK(h.seen.codes.size() == 4 * kCalls);
    CHECK(h.dispatcher.inflight() == 0);
}

TEST_CASE("call lifetime: an answer after the handler returned an error is refused", "[rpc]") {
    Harness h;
    std::promise<void> ended;
    std::shared_future<void> later = ended.get_future().share();
    g_later = &later;
    h.call("Test.ErrorThenAnswer");
    bool got = h.outcomes.wait(1);
    ended.set_value();
    h.seen.join();
    g_later = nullptr;
    REQUIRE(got);
    CHECK(h.outcomes.got[0].kind == Outcome::Kind::Internal);
    CHECK(h.outcomes.got[0].error == "Test.ErrorThenAnswer: the method failed with code 1 without answering");
    CHECK(h.seen.codes == std::vector<int>{PLRPC_INVALID});
}

TEST_CASE("call lifetime: an exception from a bare C-ABI handler becomes an error naming the method", "[rpc]") {
    Harness h;
    h.call("Test.Throws");
    h.call("Test.ThrowsInt");
    REQUIRE(h.outcomes.wait(2));
    CHECK(h.outcomes.got[0].kind == Outcome::Kind::Internal);
    CHECK(h.outcomes.got[0].error == "Test.Throws: the method threw an exception: thrown on purpose");
    CHECK(h.outcomes.got[1].error == "Test.ThrowsInt: the method threw an exception");
    CHECK(h.dispatcher.inflight() == 0);
}

TEST_CASE("call lifetime: made-up and null handles are refused by every host function", "[rpc]") {
    std::int64_t i = 0;
    const char* s = nullptr;
    size_t n = 0;
    for (auto* bad : {static_cast<plrpc_call*>(nullptr), reinterpret_cast<plrpc_call*>(1),
                      reinterpret_cast<plrpc_call*>(0xdeadbeefULL), reinterpret_cast<plrpc_call*>(~0ULL),
                      reinterpret_cast<plrpc_call*>(std::uintptr_t(1) << 40)}) {
        CHECK(host().reply_json(bad, "1", 1) == PLRPC_INVALID);
        CHECK(host().reply_error(bad, "x", 1) == PLRPC_INVALID);
        CHECK(host().arg_int(bad, "A", &i) == PLRPC_INVALID);
        CHECK(host().arg_string(bad, "A", &s, &n) == PLRPC_INVALID);
        CHECK(host().set_int(bad, "A", 1) == PLRPC_INVALID);
        CHECK(host().reply_fields(bad) == PLRPC_INVALID);
        CHECK(host().call_remaining(bad, &i) == PLRPC_INVALID);
        CHECK(host().call_cancelled(bad) == 1);
    }
}

TEST_CASE("call lifetime: the handle of an ended call never reaches the call that reuses its slot", "[rpc]") {
    Harness h;
    h.dispatcher.set_call_timeouts(0ms, {});
    h.call("Test.Echo", 1);
    REQUIRE(h.outcomes.wait(1));
    plrpc_call* old = h.seen.handles.at(0);
    // Many calls, some waiting: slots are reused, generations move on.
    for (int i = 0; i < 100; ++i) h.call("Test.Never");
    for (int i = 0; i < 100; ++i) h.call("Test.Echo", i);
    REQUIRE(h.outcomes.wait(101));
    CHECK(host().reply_json(old, "9", 1) == PLRPC_INVALID);
    CHECK(host().call_cancelled(old) == 1);
    std::size_t open = 0;
    for (std::size_t k = 1; k <= 100; ++k) open += host().call_cancelled(h.seen.handles.at(k)) == 0;
    CHECK(open == 100); // the waiting calls are untouched
    for (std::size_t k = 1; k <= 100; ++k) CHECK(host().reply_json(h.seen.handles.at(k), "4", 1) == PLRPC_OK);
    REQUIRE(h.outcomes.wait(201));
    CHECK(h.dispatcher.inflight() == 0);
}

TEST_CASE("call lifetime: a call not answered within its timeout ends with an error naming method and limit", "[rpc]") {
    Harness h;
    h.dispatcher.set_call_timeouts(100ms, {});
    auto start = std::chrono::steady_clock::now();
    h.call("Test.Never");
    REQUIRE(h.outcomes.wait(1, 3s));
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 100ms);
    CHECK(took < 2s);
    CHECK(h.outcomes.got[0].kind == Outcome::Kind::Timeout);
    CHECK(h.outcomes.got[0].error == "Test.Never: not answered within the call timeout (100ms)");
    CHECK(h.dispatcher.inflight() == 0);
    // What the handler read, and what the plugin is told afterwards.
    CHECK(h.seen.codes.at(0) > 0);
    CHECK(h.seen.codes.at(0) <= 100);
    plrpc_call* handle = h.seen.handles.at(0);
    CHECK(host().call_cancelled(handle) == 1);
    std::int64_t left = 0;
    CHECK(host().call_remaining(handle, &left) == PLRPC_INVALID);
    CHECK(host().reply_json(handle, "1", 1) == PLRPC_INVALID);
    CHECK(h.outcomes.size() == 1);
}

TEST_CASE("call lifetime: per-method and per-service timeouts override the default, 0 means none", "[rpc]") {
    Harness h;
    h.dispatcher.set_call_timeouts(0ms, {{"Test.Never", 50ms}});
    h.call("Test.Never");
    REQUIRE(h.outcomes.wait(1, 3s));
    CHECK(h.outcomes.got[0].error == "Test.Never: not answered within the call timeout (50ms)");

    h.dispatcher.set_call_timeouts(10s, {{"Test", 0ms}});
    h.call("Test.Never");
    CHECK_FALSE(h.outcomes.wait(2, 200ms));
    CHECK(h.seen.codes.back() == -2);
    plrpc_call* handle = h.seen.handles.back();
    std::int64_t left = 0;
    REQUIRE(host().call_remaining(handle, &left) == PLRPC_OK);
    CHECK(left == INT64_MAX);
    CHECK(host().reply_json(handle, "3", 1) == PLRPC_OK);
    REQUIRE(h.outcomes.wait(2));
    CHECK(h.outcomes.got[1].result == 3);
}

TEST_CASE("call lifetime: blocking calls queued behind a busy pool time out without running", "[rpc]") {
    Harness h; // one pool thread
    std::promise<void> gate;
    std::shared_future<void> opened = gate.get_future().share();
    g_gate = &opened;
    h.dispatcher.set_call_timeouts(100ms, {});
    h.call("Test.Held");
    h.call("Test.Held");
    REQUIRE(h.outcomes.wait(2, 3s));
    for (auto& o : h.outcomes.got) CHECK(o.kind == Outcome::Kind::Timeout);
    CHECK(h.dispatcher.inflight() == 0);
    gate.set_value();
    // The running handler's late answer is refused; the queued one never runs.
    std::this_thread::sleep_for(100ms);
    h.dispatcher.join();
    CHECK(h.seen.runs == 1);
    CHECK(h.seen.codes == std::vector<int>{PLRPC_INVALID});
    g_gate = nullptr;
}

TEST_CASE("call lifetime: a call whose own deadline passed before it started is not run", "[rpc]") {
    // As an isolated plugin's process starts a call that waited there
    // behind a slow one: the deadline is the daemon's, a time.
    Harness h;
    h.dispatcher.set_call_timeouts(100ms, {});
    auto start_at = [&](std::chrono::steady_clock::time_point deadline) {
        Call* c = h.dispatcher.prepare(h.registry->find("Test.Echo").method, h.outcomes.sink());
        c->set_args_text(R"({"A":7})");
        c->deadline_at_ns = deadline.time_since_epoch().count();
        h.dispatcher.start(c);
    };
    start_at(std::chrono::steady_clock::now() - 1ms);
    REQUIRE(h.outcomes.wait(1, 3s));
    CHECK(h.outcomes.got[0].kind == Outcome::Kind::Timeout);
    CHECK(h.seen.runs == 0);
    CHECK(h.dispatcher.inflight() == 0);
    // One with time left runs.
    start_at(std::chrono::steady_clock::now() + 1s);
    REQUIRE(h.outcomes.wait(2, 3s));
    CHECK(h.outcomes.got[1].result == 7);
    CHECK(h.seen.runs == 1);
}

TEST_CASE("call lifetime: join() cancels calls still waiting for an answer", "[rpc]") {
    Harness h;
    h.dispatcher.set_call_timeouts(0ms, {});
    h.call("Test.Never");
    h.call("Test.Never");
    CHECK(h.outcomes.size() == 0);
    h.dispatcher.join();
    REQUIRE(h.outcomes.size() == 2);
    CHECK(h.outcomes.got[0].kind == Outcome::Kind::Cancelled);
    CHECK(h.outcomes.got[0].error == "Test.Never: the server stopped before the method answered");
    CHECK(host().call_cancelled(h.seen.handles.at(0)) == 1);
    CHECK(host().reply_json(h.seen.handles.at(1), "1", 1) == PLRPC_INVALID);
}

TEST_CASE("call lifetime: the calls of a caller that went away end as cancelled, and only those", "[rpc]") {
    Harness h;
    h.dispatcher.set_call_timeouts(0ms, {});
    CallerCalls gone, other;
    {
        CallerCalls::Scope mine(gone);
        h.call("Test.Never");    // waits for an answer: the caller's
        h.call("Test.Echo", 3); // answered at once: never held
        {
            CallerCalls::Scope inner(other); // the innermost scope counts
            h.call("Test.Never");
        }
        h.call("Test.Never");
    }
    h.call("Test.Never"); // no scope: nobody's
    REQUIRE(h.outcomes.size() == 1);
    CHECK(gone.held() == 2);
    CHECK(other.held() == 1);
    CHECK(gone.cancel_all("its connection closed") == 2);
    REQUIRE(h.outcomes.size() == 3);
    CHECK(h.outcomes.got[1].kind == Outcome::Kind::Cancelled);
    CHECK(h.outcomes.got[1].error == "Test.Never: cancelled: its connection closed");
    CHECK(h.dispatcher.inflight() == 2); // the other caller's, and nobody's
    // The plugin reads it, and its answer is refused.
    CHECK(host().call_cancelled(h.seen.handles.at(0)) == 1);
    CHECK(host().reply_json(h.seen.handles.at(0), "1", 1) == PLRPC_INVALID);
    CHECK(host().call_cancelled(h.seen.handles.at(3)) == 1); // [1] is Echo's
    CHECK(host().call_cancelled(h.seen.handles.at(2)) == 0); // the other caller's
    // Twice is nothing more.
    CHECK(gone.cancel_all("again") == 0);
    CHECK(h.outcomes.size() == 3);
}

TEST_CASE("call lifetime: a blocking call cancelled while it waits for the pool never runs", "[rpc]") {
    Harness h;
    h.dispatcher.set_call_timeouts(0ms, {});
    std::promise<void> gate;
    std::shared_future<void> opened = gate.get_future().share();
    g_gate = &opened;
    h.call("Test.Held"); // takes the pool's one thread
    CallerCalls caller;
    {
        CallerCalls::Scope mine(caller);
        h.call("Test.Held"); // queued behind it
    }
    REQUIRE(caller.held() == 1);
    CHECK(caller.cancel_all("its connection was reset") == 1);
    REQUIRE(h.outcomes.wait(1, 3s));
    CHECK(h.outcomes.got[0].error == "Test.Held: cancelled: its connection was reset");
    gate.set_value();
    REQUIRE(h.outcomes.wait(2, 3s));
    h.dispatcher.join();
    CHECK(h.seen.runs == 1);
    g_gate = nullptr;
}

TEST_CASE("call lifetime: a caller's set of waiting calls stays within twice those still waiting", "[rpc]") {
    Harness h;
    h.dispatcher.set_call_timeouts(0ms, {});
    CallerCalls caller;
    for (int i = 0; i < 1000; ++i) {
        CallerCalls::Scope mine(caller);
        h.call("Test.Never");
        // Answered from elsewhere (the plugin's own thread, later).
        CHECK(host().reply_json(h.seen.handles.back(), "1", 1) == PLRPC_OK);
    }
    CHECK(h.outcomes.size() == 1000);
    CHECK(caller.held() <= 64);
    CHECK(caller.cancel_all("its connection closed") == 0);
}

TEST_CASE("call lifetime: where a cancelled call was passed on is told, once, and not at a timeout", "[rpc]") {
    Harness h;
    g_told.clear();
    h.dispatcher.set_call_timeouts(0ms, {});
    CallerCalls caller;
    {
        CallerCalls::Scope mine(caller);
        h.call("Test.Fwd");
    }
    h.dispatcher.set_call_timeouts(100ms, {});
    h.call("Test.Fwd"); // times out: the process has the deadline itself
    REQUIRE(h.outcomes.wait(1, 3s));
    CHECK(h.outcomes.got[0].kind == Outcome::Kind::Timeout);
    CHECK(g_told.empty());
    CHECK(Dispatcher::cancel(h.seen.handles.at(0), "its connection closed"));
    CHECK(!Dispatcher::cancel(h.seen.handles.at(0), "its connection closed"));
    CHECK(g_told == std::vector<std::uint64_t>{77});
    CHECK(caller.cancel_all("x") == 0);
}

TEST_CASE("call lifetime: ABI 1.1 appends to the host table, leaving 1.0's fields where they were", "[rpc]") {
    CHECK(PLRPC_ABI_MINOR == 2); // 1.2 extends the text form of values (abi.h), not this table
    CHECK(offsetof(plrpc_host_v1, reply_fields) == 8 + 15 * sizeof(void*));
    CHECK(PLRPC_HOST_V1_0_SIZE == 8 + 16 * sizeof(void*));
    CHECK(offsetof(plrpc_host_v1, call_cancelled) == PLRPC_HOST_V1_0_SIZE + sizeof(void*));
    CHECK(host().struct_size == sizeof(plrpc_host_v1));
    CHECK(host().abi_minor == PLRPC_ABI_MINOR);
    CHECK(duration_text(2s) == "2s");
    CHECK(duration_text(300ms) == "300ms");
    CHECK(duration_text(std::chrono::minutes(5)) == "5m");
    CHECK(duration_text(90s) == "1m30s");
}

} // namespace unit_rpc_call_lifetime
