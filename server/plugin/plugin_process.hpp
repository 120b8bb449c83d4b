// What the debug page and /metrics show of a plugin that runs isolated in
// a child process (server/isolate/): its pid, whether it serves, how often
// it was restarted and why last.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace plugrpc {

struct PluginProcessStatus {
    pid_t pid = 0;            // 0 while no child runs
    bool up = false;          // serving calls
    std::string state;        // "up", "restarting in 400ms", "stopped"
    std::uint64_t restarts = 0;
    std::string last_exit;    // "signal 11 (SIGSEGV) in Rogue.Segv", empty before the first
};

class PluginProcess {
public:
    virtual ~PluginProcess() = default;
    virtual PluginProcessStatus status() const = 0;
    // Stop the child once no call runs in it (called as the plugin is freed).
    virtual void stop() = 0;
};

} // namespace plugrpc
