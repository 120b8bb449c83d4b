// The pool for blocking methods: grows while tasks wait, up to its bound,
// shrinks back when idle, and drops unrun what is queued at stop().
#include "server/rpc/elastic_pool.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>
#include <thread>
#include <utility>

#include <sys/prctl.h>

// Each file in its own namespace: unity builds compile several together.
namespace unit_elastic_pool {

using namespace std::chrono_literals;

// A move-only task that counts whether it ran or was dropped.
struct Task {
    std::function<void()> body;
    std::atomic<int>* dropped;
    Task(std::function<void()> b, std::atomic<int>* d) : body(std::move(b)), dropped(d) {}
    Task(Task&& o) noexcept : body(std::move(o.body)), dropped(std::exchange(o.dropped, nullptr)) {}
    Task& operator=(Task&&) = delete;
    ~Task() {
        if (dropped) ++*dropped;
    }
    void operator()() {
        dropped = nullptr;
        body();
    }
};

// Tasks that wait until released, all at once.
struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    std::atomic<int> waiting{0};
    void wait() {
        ++waiting;
        std::unique_lock lk(mu);
        cv.wait(lk, [this] { return open; });
    }
    void release() {
        {
            std::lock_guard lk(mu);
            open = true;
        }
        cv.notify_all();
    }
};

template <class Pred>
bool eventually(Pred p, std::chrono::milliseconds limit = 5s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!p()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

TEST_CASE("the pool grows to run waiting tasks side by side, up to its bound, and shrinks when idle", "[pool]") {
    plugrpc::ElasticPool<Task> pool(2, 20, 100ms);
    CHECK(pool.threads() == 2);
    Gate gate;
    std::atomic<int> ran{0}, dropped{0};
    for (int i = 0; i < 30; ++i) pool.post(Task([&] { gate.wait(); ++ran; }, &dropped));
    // 20 run at once (the bound), 10 wait in the queue.
    CHECK(eventually([&] { return gate.waiting == 20; }));
    CHECK(pool.threads() == 20);
    CHECK(pool.queued() == 10);
    gate.release();
    CHECK(eventually([&] { return ran == 30; }));
    // Idle for 100 ms, the threads beyond the first 2 end.
    CHECK(eventually([&] { return pool.threads() == 2; }));
    CHECK(dropped == 0);
}

TEST_CASE("stop drops the queued tasks unrun and join waits for the running ones", "[pool]") {
    std::atomic<int> ran{0}, dropped{0};
    Gate gate;
    {
        plugrpc::ElasticPool<Task> pool(1, 1);
        for (int i = 0; i < 5; ++i) pool.post(Task([&] { gate.wait(); ++ran; }, &dropped));
        CHECK(eventually([&] { return gate.waiting == 1; }));
        pool.stop();
        CHECK(dropped == 4);
        pool.post(Task([&] { ++ran; }, &dropped)); // after stop: dropped at once
        CHECK(dropped == 5);
        gate.release();
        pool.join();
        CHECK(ran == 1);
        CHECK(pool.threads() == 0);
    }
}

TEST_CASE("tasks posted quietly start on one wake, side by side, each thread waking the next", "[pool]") {
    plugrpc::ElasticPool<Task> pool(4, 50, 2s);
    Gate gate;
    std::atomic<int> ran{0}, dropped{0};
    CHECK(eventually([&] { return pool.idle() == 4; }));
    for (int i = 0; i < 16; ++i) pool.post_quiet(Task([&] { gate.wait(); ++ran; }, &dropped));
    std::this_thread::sleep_for(20ms);
    CHECK(gate.waiting == 0); // queued, not started
    CHECK(pool.queued() == 16);
    pool.wake();
    // All sixteen run at once: the 4 idle threads, then 12 more started by the chain.
    CHECK(eventually([&] { return gate.waiting == 16; }));
    CHECK(pool.queued() == 0);
    CHECK(pool.threads() == 16);
    gate.release();
    CHECK(eventually([&] { return ran == 16; }));
    CHECK(dropped == 0);
}

TEST_CASE("a task posted while every thread is busy at the bound runs when one finishes", "[pool]") {
    plugrpc::ElasticPool<Task> pool(1, 2, 2s);
    Gate first, second;
    std::atomic<int> ran{0}, dropped{0};
    pool.post(Task([&] { first.wait(); ++ran; }, &dropped));
    pool.post(Task([&] { second.wait(); ++ran; }, &dropped));
    CHECK(eventually([&] { return first.waiting == 1 && second.waiting == 1; }));
    pool.post(Task([&] { ++ran; }, &dropped));
    std::this_thread::sleep_for(20ms);
    CHECK(ran == 0);
    CHECK(pool.queued() == 1);
    first.release();
    CHECK(eventually([&] { return ran == 2; }));
    second.release();
    CHECK(eventually([&] { return ran == 3; }));
    CHECK(pool.threads() == 2);
}

TEST_CASE("an idle thread takes the next task: no thread is started while one waits idle", "[pool]") {
    plugrpc::ElasticPool<Task> pool(1, 100, 2s);
    std::atomic<int> ran{0}, dropped{0};
    for (int i = 0; i < 200; ++i) {
        int before = ran;
        pool.post(Task([&] { ++ran; }, &dropped));
        CHECK(eventually([&] { return ran == before + 1; }));
    }
    // One at a time: the first thread ran them all, or at most a few
    // started while it was still on its way back to idle.
    CHECK(pool.threads() <= 3);
}

TEST_CASE("tasks waiting for a thread take turns by source: one flooding the pool does not queue another behind it",
          "[pool]") {
    plugrpc::ElasticPool<Task> pool(1, 1, 2s);
    std::atomic<int> dropped{0};
    int sources[6] = {};
    // Three rounds through one pool, with sources new and old: an emptied
    // source's place is reused for the next one (no allocation), and must
    // keep no trace of the source it served.
    for (int round = 0; round < 3; ++round) {
        INFO("round " << round);
        const void* a = &sources[round * 2];
        const void* b = &sources[round == 2 ? 1 : round * 2 + 1]; // round 2 reuses round 0's b
        Gate gate;
        std::mutex mu;
        std::vector<std::string> order;
        auto note = [&](std::string what) {
            std::lock_guard lk(mu);
            order.push_back(std::move(what));
        };
        pool.post(Task([&] { gate.wait(); }, &dropped), a); // holds the only thread
        CHECK(eventually([&] { return gate.waiting == 1; }));
        for (int i = 0; i < 50; ++i) pool.post(Task([&, i] { note("a" + std::to_string(i)); }, &dropped), a);
        pool.post(Task([&] { note("b"); }, &dropped), b);
        pool.post(Task([&] { note("b2"); }, &dropped), b);
        CHECK(pool.queued() == 52);
        gate.release();
        CHECK(eventually([&] {
            std::lock_guard lk(mu);
            return order.size() == 52;
        }));
        CHECK(eventually([&] { return pool.idle() == 1; }));
        std::lock_guard lk(mu);
        // a's first waiting task, then b's (its turn), then a's next, then b's second.
        REQUIRE(order.size() == 52);
        CHECK(order[0] == "a0");
        CHECK(order[1] == "b");
        CHECK(order[2] == "a1");
        CHECK(order[3] == "b2");
        CHECK(order[4] == "a2");
        CHECK(order[51] == "a49"); // each source's own tasks keep their order
    }
    CHECK(pool.queued() == 0);
    CHECK(dropped == 0);
}

// The timer slack of each of `tasks` tasks posted at once (they wait side
// by side, so the pool grows to run them), posted from a thread whose own
// slack is 1 µs, as a network thread's is.
std::vector<long> slacks_seen(unsigned tasks, std::chrono::nanoseconds pool_slack) {
    auto mine = static_cast<unsigned long>(::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    Gate gate;
    std::mutex mu;
    std::vector<long> seen;
    std::atomic<int> dropped{0};
    {
        plugrpc::ElasticPool<Task> pool(1, tasks, 10s, pool_slack);
        for (unsigned i = 0; i < tasks; ++i)
            pool.post(Task(
                [&] {
                    long slack = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
                    {
                        std::lock_guard lk(mu);
                        seen.push_back(slack);
                    }
                    gate.wait();
                },
                &dropped));
        CHECK(eventually([&] { return gate.waiting == static_cast<int>(tasks); }));
        CHECK(pool.threads() == tasks);
        gate.release();
    } // joined
    ::prctl(PR_SET_TIMERSLACK, mine, 0, 0, 0);
    return seen;
}

TEST_CASE("every pool thread runs with the pool's timer slack, without one, a thread keeps its starter's", "[pool]") {
    // The first thread starts with the pool, the rest as tasks wait.
    CHECK(slacks_seen(6, 700us) == std::vector<long>(6, 700000));
    // No slack of the pool's: the threads it grows by inherit the 1 µs of
    // the thread that posted (the one made by the constructor, this test's).
    for (long slack : slacks_seen(6, 0ns)) CHECK(slack == 1000);
}

} // namespace unit_elastic_pool
