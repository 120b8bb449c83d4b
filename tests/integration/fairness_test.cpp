// Fairness under abuse: peers that pipeline calls and never read a reply
// must not take the daemon away from well-behaved clients. Each greedy
// connection is stopped by its own bounds (calls in flight, reply bytes
// waiting); what is left of the daemon serves the others.
#include "daemon.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

using namespace plugrpc::test;

// The whole file in a namespace of its own: the unity build puts several
// test files in one unit.
namespace fairness_test {

using Clock = std::chrono::steady_clock;

// Under a sanitizer the daemon is several times slower: fewer greedy
// peers keep the test within its time.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kGreedy = 10;
#else
constexpr int kGreedy = 50;
#endif

const std::string kCall = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":1})";
const std::string kReply = R"({"jsonrpc":"2.0","result":42,"id":1})";

// Calls per second of `clients` connections, each calling in a loop for
// `span`; each answer checked.
double good_rate(std::uint16_t port, int clients, Millis span, std::atomic<int>& wrong) {
    std::atomic<long> calls{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&] {
            try {
                Connection c = Connection::tcp(port);
                auto end = Clock::now() + span;
                while (Clock::now() < end) {
                    c.send_line(kCall);
                    if (c.recv_line(5s) != kReply) ++wrong;
                    ++calls;
                }
            } catch (const HarnessError&) {
                ++wrong;
            }
        });
    }
    for (auto& t : threads) t.join();
    return static_cast<double>(calls.load()) * 1000.0 / static_cast<double>(span.count());
}

long rss_kib(pid_t pid) {
    std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
    auto at = status.find("VmRSS:");
    return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}


TEST_CASE("connections that pipeline calls and never read do not starve well-behaved clients") {
    DaemonOptions o;
    o.threads = 2;
    o.log_level = "debug"; // for the "reading pauses" lines
    Daemon d(o);
    std::atomic<int> wrong{0};
    double alone = good_rate(d.port(), 4, 2000ms, wrong);

    // kGreedy peers: each writes a block of pipelined calls whenever its
    // socket takes more, and reads nothing.
    std::vector<Connection> greedy;
    for (int i = 0; i < kGreedy; ++i) greedy.push_back(Connection::tcp(d.port()));
    std::string block;
    while (block.size() < 64 * 1024) block += kCall + "\n";
    std::atomic<bool> stop{false};
    std::atomic<long long> pushed{0};
    std::thread flood([&] {
        while (!stop) {
            bool any = false;
            for (Connection& g : greedy) {
                ssize_t n = ::send(g.fd(), block.data(), block.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n > 0) {
                    pushed += n;
                    any = true;
                }
            }
            if (!any) std::this_thread::sleep_for(5ms);
        }
    });
    // The greedy peers fill what they can, until each has been stopped.
    auto count_pauses = [&d] {
        std::string log = d.log();
        std::size_t n = 0;
        for (std::size_t p = 0; (p = log.find("reading pauses", p)) != std::string::npos; ++p) ++n;
        return n;
    };
    auto flood_start = std::chrono::steady_clock::now();
    while (count_pauses() < kGreedy && std::chrono::steady_clock::now() - flood_start < 40s) std::this_thread::sleep_for(100ms);
    std::cout << count_pauses() << " greedy connections paused after "
              << std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - flood_start).count() << " ms\n";
    double loaded = good_rate(d.port(), 4, 3000ms, wrong);
    stop = true;
    flood.join();
    greedy.clear(); // closed: the daemon is the good clients' alone again
    std::this_thread::sleep_for(200ms);
    // The rate alone, before and after: the machine's own load may drift.
    double alone_after = good_rate(d.port(), 4, 2000ms, wrong);
    alone = (alone + alone_after) / 2;
    std::cout << "daemon RSS " << rss_kib(d.pid()) / 1024 << " MiB; 4 good clients: " << static_cast<long>(alone) << " calls/s alone (mean of before and after), " << static_cast<long>(loaded)
              << " calls/s beside " << kGreedy << " greedy connections (" << pushed.load() / 1024 / 1024
              << " MiB of calls pushed, never read)\n";
    CHECK(count_pauses() >= kGreedy); // each greedy peer was stopped by max_unread_reply_bytes
    CHECK(wrong == 0);
    // Not a performance figure (bench/ measures those): a starvation check.
    // Before the bounds the good clients got nothing at all; beside other
    // tests on 2 cores they get 40-90 % of their rate alone. A tenth leaves
    // room for a loaded machine and still fails if they are starved.
    CHECK(loaded >= alone / 10);
}

} // namespace fairness_test
