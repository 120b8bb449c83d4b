// How many lines of an isolated plugin's output the daemon logs: a plugin
// that prints without pause must not flood the journal (which would then
// drop the daemon's own lines too: journald limits a whole service) nor
// keep its supervisor busy. A bucket of `burst` lines, refilled at `rate`
// lines a second; the lines it refuses are counted, and said once a second.
#pragma once

#include <chrono>
#include <algorithm>
#include <cstdint>
#include <utility>

namespace plugrpc::isolate {

class LogLimit {
public:
    using Clock = std::chrono::steady_clock;

    LogLimit(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

    // May a line be logged now? A refused one is counted.
    bool take(Clock::time_point now) {
        refill(now);
        if (tokens_ >= 1) {
            tokens_ -= 1;
            return true;
        }
        ++dropped_;
        return false;
    }

    // The lines refused since this last said so, to be said now: at most
    // once a second, unless `last` (the output has ended). 0: nothing now.
    std::uint64_t dropped_to_say(Clock::time_point now, bool last = false) {
        if (dropped_ == 0 || (!last && now - said_at_ < std::chrono::seconds(1))) return 0;
        said_at_ = now;
        return std::exchange(dropped_, 0);
    }

private:
    void refill(Clock::time_point now) {
        if (last_ != Clock::time_point{}) {
            double seconds = std::chrono::duration<double>(now - last_).count();
            tokens_ = std::min(burst_, tokens_ + seconds * rate_);
        }
        last_ = now;
    }

    double rate_, burst_, tokens_;
    Clock::time_point last_{}, said_at_{};
    std::uint64_t dropped_ = 0;
};

} // namespace plugrpc::isolate
