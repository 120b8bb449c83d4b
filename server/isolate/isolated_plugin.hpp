// A plugin isolated in a child process: plugrpc-plugin-host loads its .so
// with the daemon's own loader and serves its methods over a channel
// (channel.hpp); here, in the daemon, each of its methods is a proxy that
// forwards the call and completes it when the answer comes back, through
// the same call handles, deadlines and statistics as an in-process method.
//
// A supervisor thread per plugin reads the channel and the child's log
// (each line logged with the plugin's name) and watches the process. When
// the child dies — a crash, an abort, killed for memory or for a call stuck
// past its hard bound — every call it held fails at once with an error
// naming the plugin, the method and the signal; calls that arrive while it
// is down fail at once ("restarting"); and the child is started again after
// a backoff of 100 ms, doubling to 30 s, back to 100 ms once a child stayed
// up for 10 s. Other plugins never notice.
#pragma once

#include "server/plugin/loaded_plugin.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace plugrpc::isolate {

struct IsolateOptions {
    // plugrpc-plugin-host (daemon/plugin-host/).
    std::filesystem::path host_program;
    // Resident memory the child may use, by plugin name (known once the
    // child has loaded it); over it, the child is killed and restarted.
    // Absent or 0: no bound.
    std::map<std::string, std::uint64_t, std::less<>> max_memory;
    // CPU the child may use, in cores averaged over the last 10 s (0.5:
    // half of one CPU), by plugin name; over it (a runaway thread, a busy
    // loop), the child is killed and restarted. Absent or 0: no bound.
    std::map<std::string, double, std::less<>> max_cpu;
    // The child's dispatcher: its pool for blocking methods.
    unsigned blocking_threads = 4;
    unsigned max_blocking_threads = 1024;
    std::chrono::microseconds blocking_timer_slack{1000};
    // A child whose plugin has not registered its methods by then is killed.
    std::chrono::milliseconds start_timeout{30000};
    // Backoff between restarts.
    std::chrono::milliseconds first_backoff{100};
    std::chrono::milliseconds max_backoff{30000};
};

// A call that has not been answered by twice its call timeout (at least
// one second past it) is stuck: its child is killed and restarted.
std::chrono::nanoseconds hard_bound(std::chrono::nanoseconds call_timeout);

// Start `file` in a child process, which picks its [plugin.<name>] table
// from `configs`, and
// return the plugin as the daemon serves it: its methods forward to the
// child. Fails (with the child's reason) when the child cannot load it.
// The first start sets SIGPIPE to be ignored in this process if it was at
// its default (spawn.hpp): a write to a dead child then fails, not kills.
LoadResult load_isolated(const std::filesystem::path& file, const boost::json::object& configs,
                         const IsolateOptions& options, const Unloader& unloader = {});

} // namespace plugrpc::isolate
