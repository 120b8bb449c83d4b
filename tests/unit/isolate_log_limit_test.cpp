// What an isolated plugin's output is logged (isolate/log_limit.hpp): a
// burst at once, then a steady rate; the rest counted and said at most once
// a second, or at once when the output ends. Time is given, not waited for.
#include "server/isolate/log_limit.hpp"

#include <catch2/catch.hpp>

namespace unit_isolate_log_limit {

using plugrpc::isolate::LogLimit;
using namespace std::chrono_literals;

// How many of `lines` offered at `t` may be logged.
int offered(LogLimit& limit, int lines, LogLimit::Clock::time_point t) {
    int logged = 0;
    for (int i = 0; i < lines; ++i) logged += limit.take(t);
    return logged;
}

TEST_CASE("log limit: a burst, then the rate, and the rest counted and said once a second", "[isolate]") {
    LogLimit limit(100, 1000);
    auto t = LogLimit::Clock::time_point{} + 1h;
    CHECK(offered(limit, 5000, t) == 1000);
    CHECK(limit.dropped_to_say(t) == 4000);
    // Half a second later: 50 more lines may go, and nothing is said yet.
    t += 500ms;
    CHECK(offered(limit, 200, t) == 50);
    CHECK(limit.dropped_to_say(t) == 0);
    t += 600ms;
    CHECK(limit.dropped_to_say(t) == 150);
    CHECK(limit.dropped_to_say(t) == 0);
    // A quiet while fills the bucket again, to the burst and no more.
    t += 1h;
    CHECK(offered(limit, 1500, t) == 1000);
    CHECK(limit.dropped_to_say(t) == 500);
    // The output ended: what is left is said at once.
    CHECK(offered(limit, 100, t + 1ms) == 0);
    CHECK(limit.dropped_to_say(t + 2ms) == 0);
    CHECK(limit.dropped_to_say(t + 2ms, true) == 100);
    CHECK(limit.dropped_to_say(t + 2ms, true) == 0);
}

} // namespace unit_isolate_log_limit
