// Blocking methods wait side by side, as goroutines do: the pool grows
// while calls wait (up to [server] max_blocking_threads), so 2,000 calls
// that each sleep 0-19 ms take about as long as the longest, not the sum
// over four threads, and a quick call is not queued behind them.
#include "daemon.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

// The whole file in a namespace of its own: the unity build puts several
// test files in one unit.
namespace blocking_pool_test {

using Clock = std::chrono::steady_clock;

// A pool of 4 took 4.9 s for the burst and 4.6 s for the quick call; the
// bounds sit well below that, wider under a sanitizer (several times slower).
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr long long kBurstBound = 4000, kQuickBound = 2500;
#else
constexpr long long kBurstBound = 2500, kQuickBound = 1000;
#endif

std::string sleep_call(int millis, int id) {
    return R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":)" + std::to_string(millis) + R"(},"id":)" +
           std::to_string(id) + "}";
}

long threads_of(pid_t pid) {
    std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
    auto at = status.find("Threads:");
    return at == std::string::npos ? -1 : std::stol(status.substr(at + 8));
}

// `calls` Slow.Sleep calls of 0-19 ms, pipelined over `conns` connections;
// the time until every answer is in, and the most threads seen meanwhile.
struct Burst {
    long long millis = 0;
    long peak_threads = 0;
    int answered = 0;
};

Burst burst(Daemon& d, int conns, int calls) {
    std::vector<Connection> cs;
    for (int i = 0; i < conns; ++i) cs.push_back(Connection::tcp(d.port()));
    auto start = Clock::now();
    for (int i = 0; i < calls; ++i) cs[static_cast<std::size_t>(i % conns)].send_line(sleep_call((i * 7) % 20, i));
    Burst b;
    b.peak_threads = threads_of(d.pid());
    for (int i = 0; i < calls; ++i) {
        std::string line = cs[static_cast<std::size_t>(i % conns)].recv_line(30s);
        if (line.find(R"("result":)") != std::string::npos) ++b.answered;
        if (i % 100 == 0) b.peak_threads = std::max(b.peak_threads, threads_of(d.pid()));
    }
    b.millis = std::chrono::duration_cast<Millis>(Clock::now() - start).count();
    return b;
}

TEST_CASE("2000 blocking calls that sleep 0-19 ms wait side by side, and a quick one is not queued behind them") {
    DaemonOptions o;
    o.plugins = {arith_plugin(), slow_plugin()};
    Daemon d(o);
    long before = threads_of(d.pid());

    // A quick blocking call sent while the 2,000 are in flight.
    Connection quick = Connection::tcp(d.port());
    long long quick_ms = -1;
    std::thread late([&] {
        std::this_thread::sleep_for(20ms);
        auto t = Clock::now();
        quick.send_line(sleep_call(0, 9999));
        if (quick.recv_line(30s).find(R"("result":0)") != std::string::npos)
            quick_ms = std::chrono::duration_cast<Millis>(Clock::now() - t).count();
    });
    Burst b = burst(d, 16, 2000);
    late.join();
    std::cout << "2000 blocking calls of 0-19 ms over 16 connections: " << b.millis << " ms (a pool of 4 took ~4900; "
              << "Go ~100), threads " << before << " -> " << b.peak_threads << "; a quick call meanwhile: " << quick_ms
              << " ms\n";
    CHECK(b.answered == 2000);
    CHECK(b.peak_threads > before + 16); // the pool grew
    CHECK(b.millis < kBurstBound); // not 2,000 x 9.5 ms over 4 threads
    CHECK(quick_ms >= 0);
    CHECK(quick_ms < kQuickBound);
}

TEST_CASE("max_blocking_threads bounds the pool: beyond it blocking calls queue") {
    DaemonOptions o;
    o.plugins = {arith_plugin(), slow_plugin()};
    o.server_config = "blocking_threads = 2\nmax_blocking_threads = 4\n";
    Daemon d(o);
    long before = threads_of(d.pid());
    Burst b = burst(d, 4, 200); // 200 x 9.5 ms over 4 threads: at least 475 ms
    std::cout << "200 blocking calls with max_blocking_threads = 4: " << b.millis << " ms, threads " << before
              << " -> " << b.peak_threads << "\n";
    CHECK(b.answered == 200);
    // 2 pool threads there from the start, 2 more at most, and threads
    // the first call starts (deadlines; a sanitizer's own): a handful,
    // where an unbounded pool reaches about 200 here.
    CHECK(b.peak_threads <= before + 8);
    CHECK(b.millis >= 450);
}

// Slow.TimerSlack's answer: the timer slack of the blocking thread it ran on.
long long timer_slack_of_a_blocking_call(Daemon& d) {
    Connection c = Connection::tcp(d.port());
    c.send_line(R"({"jsonrpc":"2.0","method":"Slow.TimerSlack","params":{"Millis":0},"id":1})");
    std::string line = c.recv_line(10s);
    auto at = line.find(R"("result":)");
    if (at == std::string::npos) FAIL("no result: " << line);
    return std::stoll(line.substr(at + 9));
}

TEST_CASE("blocking methods run with [server] blocking_timer_slack, in the daemon and in an isolated process") {
    DaemonOptions o;
    o.plugins = {arith_plugin(), slow_plugin()};
    SECTION("default: 1 ms, as Go's timers") {
        Daemon d(o);
        CHECK(timer_slack_of_a_blocking_call(d) == 1000000);
    }
    SECTION("set: threads started at once and threads the pool grows by") {
        o.server_config = "blocking_threads = 1\nblocking_timer_slack = \"250us\"\n";
        Daemon d(o);
        // Several at once, so that the pool grows: every thread has it (a
        // thread started by a network thread would otherwise inherit its 1 µs).
        std::vector<Connection> cs;
        for (int i = 0; i < 8; ++i) {
            cs.push_back(Connection::tcp(d.port()));
            cs.back().send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":200},"id":1})");
        }
        std::this_thread::sleep_for(50ms);
        CHECK(timer_slack_of_a_blocking_call(d) == 250000);
        for (auto& c : cs) CHECK(c.recv_line(10s).find(R"("result":200)") != std::string::npos);
    }
    SECTION("isolated: the plugin's process has it too") {
        o.server_config = "blocking_timer_slack = \"300us\"\n";
        o.plugins_config = "isolate = true\n";
        Daemon d(o);
        CHECK(timer_slack_of_a_blocking_call(d) == 300000);
    }
}

} // namespace blocking_pool_test
