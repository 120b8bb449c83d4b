// Whether every network loop still runs its handlers (for /livez).
//
// The control thread posts a no-op to each loop every `period`; a loop
// that has not run the one posted to it within `stuck_after` is stuck:
// a handler that does not return, plugin code that blocks a network
// thread. The control loop checks itself the same way, and its own timer
// ticking is part of it: a stuck control thread posts nothing more.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace plugrpc {

class LoopPulse {
public:
    explicit LoopPulse(std::chrono::milliseconds period = std::chrono::milliseconds(250),
                       std::chrono::milliseconds stuck_after = std::chrono::seconds(2));
    ~LoopPulse();
    LoopPulse(const LoopPulse&) = delete;
    LoopPulse& operator=(const LoopPulse&) = delete;

    // Pulse `loops` from loops[0] (the control loop) until it stops.
    void start(std::vector<boost::asio::io_context*> loops);
    // Drop the timer, once the loops have stopped and before they are
    // destroyed; pulses still queued are destroyed with them, unrun.
    void stop();

    // "" while every loop answers; else which one does not and for how long
    // ("network thread 2 has not run a handler for 3.2 s"). Any thread.
    std::string stuck() const;

private:
    struct Beat {
        std::atomic<std::int64_t> sent{0};     // steady_clock ns of the pulse posted last
        std::atomic<std::int64_t> answered{0}; // ... of the pulse the loop ran last
    };
    void tick();

    std::chrono::milliseconds period_;
    std::chrono::milliseconds stuck_after_;
    std::vector<boost::asio::io_context*> loops_;
    std::unique_ptr<Beat[]> beats_;
    std::atomic<std::int64_t> ticked_{0}; // the control thread's last tick
    std::atomic<bool> started_{false};
    std::unique_ptr<boost::asio::steady_timer> timer_;
};

} // namespace plugrpc
