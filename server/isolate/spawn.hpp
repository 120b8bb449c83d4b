// Starting an isolated plugin's child: plugrpc-plugin-host with the channel
// as two pipes (fd 3 its answers to the daemon, fd 5 the daemon's calls to
// it) and the plugin's sealed copy as fd 4, sandboxed no looser than the
// daemon's unit.
//
// Pipes, not a socket pair: a round trip through a pair of pipes costs
// about half of one through a unix stream socket (no socket buffer to
// allocate, account and free per write; bench/RESULTS.md, session 15), and
// a call crosses twice per answer. Writing to a pipe whose reader is gone
// raises SIGPIPE: spawn_child() has the process ignore SIGPIPE when it is
// at its default, so such a write fails with EPIPE instead.
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

// The child's descriptors.
inline constexpr int kChildAnswersFd = 3;
inline constexpr int kChildPluginFd = 4;
inline constexpr int kChildCallsFd = 5;

struct Child {
    pid_t pid = -1;    // the host's first process, which ends as the plugin's process does
    pid_t worker = -1; // the process the plugin runs in, the host's child (its first frame names it; pid until then)
    int pidfd = -1;    // -1 where pidfd_open is refused
    int calls = -1;    // the parent's write end of the calls pipe, non-blocking, close-on-exec
    int replies = -1;  // the parent's read end of the answers pipe, non-blocking, close-on-exec
    int log = -1;      // the child's stdout and stderr, non-blocking
};

// fork and exec `program` (argv[1] = `label`, shown by ps). In the child,
// before exec: it dies with the daemon (PR_SET_PDEATHSIG), gains no
// privileges (PR_SET_NO_NEW_PRIVS), gets the limits (where the unit's
// system call filter allows setrlimit), no core dump, and no descriptor
// but 0 (/dev/null), 1 and 2 (the log pipe), 3 (answers, write end), 4
// (`plugin_fd`) and 5 (calls, read end). Child::pid < 0 with `error` on failure.
Child spawn_child(const std::filesystem::path& program, const std::string& label, int plugin_fd,
                  const SpawnLimits& limits, std::string& error);

// "signal 11 (SIGSEGV)", "exit status 3".
std::string describe_exit(int wait_status);

} // namespace plugrpc::isolate
