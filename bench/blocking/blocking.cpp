// The blocking plugin of bench/run's `blocking` scenario: Blocking.Sleep,
// registered as blocking (it runs on the daemon's blocking pool, off the
// network threads), so that plugrpcd can be measured against Go's net/rpc,
// which serves the same method (bench/internal/blocking) in a goroutine per
// call.
#include <plugrpc/plugin.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

namespace blocking {

struct Args {
    std::int64_t Millis;
};
BOOST_DESCRIBE_STRUCT(Args, (), (Millis))

struct Blocking {
    // Sleeps Millis milliseconds (0 to 1000) and replies Millis.
    plugrpc::Status Sleep(const Args& args, std::int64_t& reply) {
        if (args.Millis < 0) return plugrpc::Error("negative Millis");
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(args.Millis, 1000)));
        reply = args.Millis;
        return {};
    }
};
BOOST_DESCRIBE_STRUCT(Blocking, (), (Sleep))

} // namespace blocking

PLUGRPC_PLUGIN("blocking", "1.0.0", "Benchmark service: Blocking.Sleep sleeps on the blocking pool") {
    // GCC warns (-Wmissing-field-initializers) when .name is left out.
    plugin.add<blocking::Blocking>({.name = {}, .blocking = {"Sleep"}});
}
