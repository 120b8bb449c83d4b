// The admin pages' worker: one page at a time, a bounded queue, and a stop
// that drops what waits.
#include "server/http/admin_worker.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

// Each file in its own namespace: unity builds compile several together.
namespace unit_admin_worker {

using namespace plugrpc;
using namespace std::chrono_literals;

TEST_CASE("the admin worker runs pages one at a time and refuses beyond kMaxWaiting waiting") {
    AdminWorker w;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> running{0}, most{0}, done{0};
    std::promise<void> started;
    REQUIRE(w.post([&] {
        started.set_value();
        released.wait();
        ++done;
    }));
    started.get_future().wait(); // the first runs; the others wait behind it
    for (std::size_t i = 0; i < AdminWorker::kMaxWaiting; ++i)
        CHECK(w.post([&] {
            int now = ++running;
            most = std::max(most.load(), now);
            --running;
            ++done;
        }));
    CHECK_FALSE(w.post([] {})); // the queue is full: the caller answers 503
    release.set_value();
    for (int i = 0; i < 500 && done < static_cast<int>(AdminWorker::kMaxWaiting) + 1; ++i) std::this_thread::sleep_for(10ms);
    CHECK(done == static_cast<int>(AdminWorker::kMaxWaiting) + 1);
    CHECK(most == 1);
    CHECK(w.post([] {})); // room again
}

TEST_CASE("a stopped admin worker drops what waits and takes nothing more") {
    AdminWorker w;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> ran{0};
    std::promise<void> started;
    REQUIRE(w.post([&] {
        started.set_value();
        released.wait();
        ++ran;
    }));
    started.get_future().wait();
    REQUIRE(w.post([&] { ++ran; }));
    std::thread stopper([&] { w.stop(); });
    while (w.waiting() > 0) std::this_thread::sleep_for(1ms); // dropped
    release.set_value();
    stopper.join();
    CHECK(ran == 1); // the one that ran finished; the one that waited was dropped
    CHECK_FALSE(w.post([&] { ++ran; }));
}

} // namespace unit_admin_worker
