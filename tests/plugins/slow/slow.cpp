// Slow: a test service whose methods block, so the integration tests can
// show that a slow call holds up nothing else and that blocking calls run
// side by side (and what timer slack their threads have). Its [plugin.slow] table can make its init and its shutdown
// slow too: init_sleep_ms, shutdown_sleep_ms (default 0).
#include <plugrpc/plugin.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <sys/prctl.h>

namespace slow {

struct SleepArgs {
    std::int64_t Millis;
};
BOOST_DESCRIBE_STRUCT(SleepArgs, (), (Millis))

struct MeetArgs {
    std::int64_t Parties;
    std::int64_t TimeoutMillis;
};
BOOST_DESCRIBE_STRUCT(MeetArgs, (), (Parties, TimeoutMillis))

// Sleeps `ms` milliseconds (at most ten minutes).
void nap(std::int64_t ms) {
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(ms, 600000)));
}

std::int64_t config_millis(const boost::json::object& config, const char* key) {
    const auto* v = config.if_contains(key);
    return v && v->is_int64() ? v->get_int64() : 0;
}

struct Slow {
    explicit Slow(std::int64_t shutdown_sleep_ms = 0) : shutdown_sleep_ms_(shutdown_sleep_ms) {}
    // The plugin's shutdown destroys its services: this is where it is slow.
    ~Slow() { nap(shutdown_sleep_ms_); }
    Slow(const Slow&) = delete;
    Slow& operator=(const Slow&) = delete;

    // Sleeps Millis milliseconds (at most ten seconds) and replies Millis.
    plugrpc::Status Sleep(const SleepArgs& args, std::int64_t& reply) {
        if (args.Millis < 0) return plugrpc::Error("negative Millis");
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(args.Millis, 10000)));
        reply = args.Millis;
        return {};
    }

    // Waits until Parties calls of Meet are running at once (each call
    // counts once, for the life of the plugin) and replies how many arrived;
    // an error if they do not all arrive within TimeoutMillis. Only calls
    // that really run concurrently can meet.
    plugrpc::Status Meet(const MeetArgs& args, std::int64_t& reply) {
        std::unique_lock lock(mutex_);
        ++arrived_;
        met_.notify_all();
        auto timeout = std::chrono::milliseconds(std::clamp<std::int64_t>(args.TimeoutMillis, 0, 10000));
        if (!met_.wait_for(lock, timeout, [&] { return arrived_ >= args.Parties; }))
            return plugrpc::Error("only " + std::to_string(arrived_) + " of " + std::to_string(args.Parties) +
                                  " parties met");
        reply = arrived_;
        return {};
    }

    // The timer slack of the thread it runs on, in nanoseconds: how late
    // its timed waits may end ([server] blocking_timer_slack).
    plugrpc::Status TimerSlack(const SleepArgs&, std::int64_t& reply) {
        reply = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
        return {};
    }

private:
    std::int64_t shutdown_sleep_ms_ = 0;
    std::mutex mutex_;
    std::condition_variable met_;
    std::int64_t arrived_ = 0;
};
BOOST_DESCRIBE_STRUCT(Slow, (), (Sleep, Meet, TimerSlack))

} // namespace slow

PLUGRPC_PLUGIN("slow", "1.0.0", "Test service: Slow.Sleep and Slow.Meet block") {
    if (std::int64_t ms = slow::config_millis(plugin.config(), "init_sleep_ms"); ms > 0) {
        plugin.log(PLRPC_LOG_INFO, "init sleeps " + std::to_string(ms) + " ms");
        slow::nap(ms);
        plugin.log(PLRPC_LOG_INFO, "init slept " + std::to_string(ms) + " ms");
    }
    // GCC warns (-Wmissing-field-initializers) when .name is left out.
    plugin.add(std::make_unique<slow::Slow>(slow::config_millis(plugin.config(), "shutdown_sleep_ms")),
               {.name = {}, .blocking = {"Sleep", "Meet", "TimerSlack"}});
}
