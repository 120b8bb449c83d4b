#include "daemon/service/exit_watchdog.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace plugrpc {
namespace {

// Constructed on first arming, after the logger; destroyed (disarmed,
// its thread joined) as the process exits normally, before the logger.
class Watchdog {
public:
    void arm(std::chrono::milliseconds limit) {
        std::lock_guard lock(mu_);
        if (thread_.joinable()) return;
        thread_ = std::thread([this, limit] {
            std::unique_lock lock(mu_);
            if (wake_.wait_for(lock, limit, [this] { return done_; })) return;
            spdlog::error("stop: still not done {} ms after SIGTERM (drain_delay, drain_timeout and {} ms of grace): plugin code "
                          "that does not return holds it (see the drain timeout message above); exiting now",
                          limit.count(), kStopGrace.count());
            spdlog::default_logger()->flush();
            std::_Exit(0);
        });
    }
    ~Watchdog() {
        {
            std::lock_guard lock(mu_);
            done_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    std::mutex mu_;
    std::condition_variable wake_;
    bool done_ = false;
    std::thread thread_;
};

} // namespace

void arm_exit_watchdog(std::chrono::milliseconds limit) {
    static Watchdog watchdog;
    watchdog.arm(limit);
}

} // namespace plugrpc
