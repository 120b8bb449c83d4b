// PluginThreads (daemon/plugin/plugin_threads.hpp): plugin code outside
// calls runs on threads of its own, a bounded number at once; a job let go
// no longer holds a place; jobs handed in after the end run at once.
#include "daemon/plugin/plugin_threads.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

// Each file in its own namespace: unity builds compile several together.
namespace unit_plugin_threads {

using namespace plugrpc;
using namespace std::chrono_literals;

// A gate jobs wait at until it opens.
class Gate {
public:
    void wait() {
        std::unique_lock lock(mu_);
        ++waiting_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return open_; });
    }
    void open() {
        std::lock_guard lock(mu_);
        open_ = true;
        changed_.notify_all();
    }
    // Wait (at most 10 s) until `n` jobs wait here.
    bool waiting(int n) {
        std::unique_lock lock(mu_);
        return changed_.wait_for(lock, 10s, [&] { return waiting_ >= n; });
    }
    int count() {
        std::lock_guard lock(mu_);
        return waiting_;
    }

private:
    std::mutex mu_;
    std::condition_variable changed_;
    bool open_ = false;
    int waiting_ = 0;
};

TEST_CASE("plugin threads: at most `limit` jobs run at once, the others in turn, none on the caller's thread",
          "[plugin]") {
    Gate gate;
    std::atomic<int> done{0};
    std::atomic<bool> on_caller{false};
    auto caller = std::this_thread::get_id();
    {
        PluginThreads threads(2);
        for (int i = 0; i < 5; ++i)
            threads.run([&] {
                if (std::this_thread::get_id() == caller) on_caller = true;
                gate.wait();
                ++done;
            });
        REQUIRE(gate.waiting(2));
        std::this_thread::sleep_for(50ms);
        CHECK(gate.count() == 2); // the other three wait for a place
        gate.open();
    } // waits for all five
    CHECK(done == 5);
    CHECK_FALSE(on_caller);
}

TEST_CASE("plugin threads: a job let go frees its place and is not waited for", "[plugin]") {
    auto stuck = std::make_shared<Gate>(); // its thread outlives this test
    std::atomic<bool> ran{false};
    auto threads = std::make_unique<PluginThreads>(1);
    PluginThreads::Id id = threads->run([stuck] { stuck->wait(); });
    REQUIRE(stuck->waiting(1));
    threads->run([&] { ran = true; });
    std::this_thread::sleep_for(50ms);
    CHECK_FALSE(ran); // no place yet
    threads->release(id);
    threads.reset(); // runs the second job, does not wait for the stuck one
    CHECK(ran);
    stuck->open(); // its thread ends on its own
}

TEST_CASE("plugin threads: a runner used after the end runs the job at once, on the caller's thread", "[plugin]") {
    std::function<void(PluginThreads::Job)> run;
    {
        PluginThreads threads(1);
        run = threads.runner();
    }
    std::thread::id where;
    run([&] { where = std::this_thread::get_id(); });
    CHECK(where == std::this_thread::get_id());
}

} // namespace unit_plugin_threads
