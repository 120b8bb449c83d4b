// Starting an isolated plugin's child: plugrpc-plugin-host with the channel
// as fd 3 and the plugin's sealed copy as fd 4, sandboxed no looser than
// the daemon's unit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <sys/types.h>

namespace plugrpc::isolate {

struct SpawnLimits {
    std::uint64_t max_memory = 0;   // bytes of address space (RLIMIT_AS backstop); 0: none
    std::uint64_t max_cpu_s = 0;    // CPU seconds (RLIMIT_CPU); 0: none
};

struct Child {
    pid_t pid = -1;
    int pidfd = -1;    // -1 where pidfd_open is refused
    int channel = -1;  // the parent's end, non-blocking, close-on-exec
    int log = -1;      // the child's stdout and stderr, non-blocking
};

// fork and exec `program` (argv[1] = `label`, shown by ps). In the child,
// before exec: it dies with the daemon (PR_SET_PDEATHSIG), gains no
// privileges (PR_SET_NO_NEW_PRIVS), gets the limits (where the unit's
// system call filter allows setrlimit), no core dump, and no descriptor
// but 0 (/dev/null), 1 and 2 (the log pipe), 3 (channel) and 4
// (`plugin_fd`). Child::pid < 0 with `error` on failure.
Child spawn_child(const std::filesystem::path& program, const std::string& label, int plugin_fd,
                  const SpawnLimits& limits, std::string& error);

// "signal 11 (SIGSEGV)", "exit status 3".
std::string describe_exit(int wait_status);

} // namespace plugrpc::isolate
