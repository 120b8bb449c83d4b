#include "daemon/service/stray_exit.hpp"

#include <atomic>
#include <cstdlib>
#include <unistd.h>

namespace plugrpc {
namespace {

std::atomic<bool> guarding{false};

void on_exit() {
    if (!guarding.load()) return;
    // The process is going down with other threads still running: only
    // async-signal-safe calls from here.
    static const char line[] = "plugrpcd: exit() was called while the daemon was serving, not by the daemon "
                               "(by a plugin's code?); exiting with status 70 so that the service manager "
                               "restarts it\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, line, sizeof line - 1);
    ::_exit(kStrayExitStatus);
}

} // namespace

void guard_stray_exit() {
    static const bool registered = std::atexit(on_exit) == 0;
    guarding.store(registered);
}

void allow_exit() { guarding.store(false); }

} // namespace plugrpc
