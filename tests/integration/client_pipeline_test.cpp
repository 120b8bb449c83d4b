// Many calls in flight on one client connection, and what a client does
// when it is closed or its connection drops (Go's ErrShutdown).
#include "arith_types.hpp"
#include "daemon.hpp"

#include <plugrpc/client.hpp>

#include <catch2/catch.hpp>

#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

using namespace plugrpc::test;
namespace client = plugrpc::client;
using client::ErrorKind;
using client::Protocol;

namespace {

// Counts callbacks down to zero.
class Latch {
public:
    explicit Latch(std::size_t n) : left_(n) {}
    void count_down() {
        std::lock_guard lock(m_);
        if (--left_ == 0) cv_.notify_all();
    }
    bool wait(Millis timeout) {
        std::unique_lock lock(m_);
        return cv_.wait_for(lock, timeout, [&] { return left_ == 0; });
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::size_t left_;
};

client::Client connect(const Daemon& d, Protocol p) {
    client::Options o;
    o.protocol = p;
    auto c = client::Client::connect("127.0.0.1:" + std::to_string(d.port()), o);
    if (!c) FAIL("connect: " << c.error().message);
    return std::move(*c);
}

} // namespace

TEST_CASE("10,000 pipelined calls on one connection each get their own reply, over json and gob") {
    constexpr std::int64_t kCalls = 10000;
    Daemon d;
    for (Protocol p : {Protocol::Json, Protocol::Gob}) {
        INFO((p == Protocol::Json ? "json" : "gob"));
        auto c = connect(d, p);
        std::vector<std::int64_t> replies(kCalls, -1);
        std::atomic<int> failures{0};
        std::atomic<std::size_t> most_in_flight{0};
        Latch done(kCalls);
        for (std::int64_t i = 0; i < kCalls; ++i) {
            c.call_async<std::int64_t>("Arith.Multiply", Args{i, i + 1}, [&, i](client::Result<std::int64_t> r) {
                if (r) replies[static_cast<std::size_t>(i)] = *r;
                else failures++;
                done.count_down();
            });
            std::size_t now = c.in_flight();
            if (now > most_in_flight) most_in_flight = now;
        }
        REQUIRE(done.wait(60s));
        CHECK(failures == 0);
        std::int64_t wrong = 0;
        for (std::int64_t i = 0; i < kCalls; ++i)
            if (replies[static_cast<std::size_t>(i)] != i * (i + 1)) ++wrong;
        CHECK(wrong == 0);
        CHECK(most_in_flight > 1); // they really were in flight together
        CHECK(c.in_flight() == 0);
    }
}

TEST_CASE("futures from many threads share one connection") {
    Daemon d;
    auto c = connect(d, Protocol::Gob);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            std::vector<std::future<client::Result<std::int64_t>>> fs;
            for (std::int64_t i = 0; i < 250; ++i) fs.push_back(c.call_future<std::int64_t>("Arith.Multiply", Args{t, i}));
            for (std::int64_t i = 0; i < 250; ++i) {
                auto r = fs[static_cast<std::size_t>(i)].get();
                if (!r || *r != t * i) wrong++;
            }
        });
    for (auto& th : threads) th.join();
    CHECK(wrong == 0);
}

TEST_CASE("a closed client fails calls with \"connection is shut down\"") {
    Daemon d;
    for (Protocol p : {Protocol::Json, Protocol::Gob}) {
        auto c = connect(d, p);
        REQUIRE(c.call<std::int64_t>("Arith.Multiply", Args{7, 8}).value() == 56);
        c.close();
        CHECK(c.is_shut_down());
        auto r = c.call<std::int64_t>("Arith.Multiply", Args{7, 8});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().kind == ErrorKind::Shutdown);
        CHECK(r.error().message == "connection is shut down");
        c.close(); // again: nothing happens
    }
}

TEST_CASE("after the daemon goes away, calls fail with \"connection is shut down\"") {
    Daemon d;
    auto c = connect(d, Protocol::Gob);
    REQUIRE(c.call<std::int64_t>("Arith.Multiply", Args{7, 8}).value() == 56);
    REQUIRE(d.stop() == 0);
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!c.is_shut_down() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    REQUIRE(c.is_shut_down());
    auto r = c.call<std::int64_t>("Arith.Multiply", Args{7, 8});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::Shutdown);
    CHECK(r.error().message == "connection is shut down");
}

TEST_CASE("calls waiting when the connection drops fail with a Transport error") {
    DaemonOptions o;
    o.plugins.push_back(slow_plugin());
    Daemon d(o);
    auto c = connect(d, Protocol::Json);
    auto waiting = c.call_future<std::int64_t>("Slow.Sleep", SleepArgs{5000});
    std::this_thread::sleep_for(200ms);
    ::kill(d.pid(), SIGKILL);
    REQUIRE(waiting.wait_for(5s) == std::future_status::ready);
    auto r = waiting.get();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::Transport);
    CHECK(r.error().message == "unexpected EOF");
}
