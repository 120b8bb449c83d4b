// LoopPulse (/livez): a loop that runs its handlers is live; one that has
// not run the pulse posted to it within stuck_after is named, with how long.
#include "server/net/loop_pulse.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

// Each file in its own namespace: unity builds compile several together.
namespace unit_net_loop_pulse {

using namespace plugrpc;
using namespace std::chrono_literals;

TEST_CASE("loop pulse: loops that run their handlers are live, a stuck one is named", "[net]") {
    boost::asio::io_context control(1), worker(1);
    LoopPulse pulse(20ms, 300ms);
    CHECK(pulse.stuck().empty()); // not started: nothing to say
    pulse.start({&control, &worker});
    auto control_guard = boost::asio::make_work_guard(control);
    auto worker_guard = boost::asio::make_work_guard(worker);
    std::thread control_thread([&] { control.run(); });
    std::thread worker_thread([&] { worker.run(); });

    std::this_thread::sleep_for(400ms);
    CHECK(pulse.stuck().empty());

    // A handler that does not return holds the worker's loop.
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    boost::asio::post(worker, [released] { released.wait(); });
    std::string why;
    for (int i = 0; i < 200 && why.empty(); ++i) {
        std::this_thread::sleep_for(20ms);
        why = pulse.stuck();
    }
    CHECK_THAT(why, Catch::Matches("network thread 1 has not run a handler for [0-9.]+ s"));

    release.set_value();
    for (int i = 0; i < 200 && !pulse.stuck().empty(); ++i) std::this_thread::sleep_for(20ms);
    CHECK(pulse.stuck().empty());

    control.stop();
    worker.stop();
    control_thread.join();
    worker_thread.join();
}

} // namespace unit_net_loop_pulse
