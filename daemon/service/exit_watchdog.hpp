// A stop that cannot hang: once SIGTERM has started a drain, the process
// exits when drain_delay, drain_timeout and a short grace have passed, whatever still
// runs — a blocking handler that never returns, a plugin's shutdown that
// waits forever. The drain itself answers or cancels every call before
// then; this only bounds the plugin code nobody can interrupt.
#pragma once

#include <chrono>

namespace plugrpc {

// What a stop may take beyond drain_timeout: joining the threads, unloading
// the plugins.
inline constexpr std::chrono::milliseconds kStopGrace{2000};

// Exit the process (status 0, after logging what it does) if it has not
// exited `limit` from now. Arming again keeps the earlier limit.
void arm_exit_watchdog(std::chrono::milliseconds limit);

} // namespace plugrpc
