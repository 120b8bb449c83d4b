#include "server/isolate/spawn.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace plugrpc::isolate {

std::string describe_exit(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char* abbrev = sigabbrev_np(sig);
        return "signal " + std::to_string(sig) + (abbrev ? std::string(" (SIG") + abbrev + ")" : "");
    }
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    return "wait status " + std::to_string(status);
}

namespace {
// Only async-signal-safe calls from here to exec: the daemon has threads.
[[noreturn]] void exec_child(const char* program, char* const* argv, pid_t parent, int devnull, int log_w,
                             int channel, int plugin_fd, const SpawnLimits& limits) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127); // the daemon died before the line above
    ::setpgid(0, 0); // a process group of its own: what the plugin starts ends with it
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    rlimit none{0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    if (limits.max_memory) {
        rlimit as{limits.max_memory, limits.max_memory};
        ::setrlimit(RLIMIT_AS, &as);
    }
    if (limits.max_cpu_s) {
        rlimit cpu{limits.max_cpu_s, limits.max_cpu_s + 1};
        ::setrlimit(RLIMIT_CPU, &cpu);
    }
    // Out of the way of 0..4 first, then into place.
    int fds[4] = {devnull, log_w, channel, plugin_fd};
    for (int& fd : fds) {
        int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
        if (moved < 0) ::_exit(127);
        fd = moved;
    }
    if (::dup2(fds[0], 0) < 0 || ::dup2(fds[1], 1) < 0 || ::dup2(fds[1], 2) < 0 || ::dup2(fds[2], 3) < 0 ||
        ::dup2(fds[3], 4) < 0)
        ::_exit(127);
    ::syscall(SYS_close_range, 5u, ~0u, 0u);
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::execv(program, argv);
    ::_exit(127);
}
} // namespace

Child spawn_child(const std::filesystem::path& program, const std::string& label, int plugin_fd,
                  const SpawnLimits& limits, std::string& error) {
    Child c;
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        error = std::string("socketpair: ") + std::strerror(errno);
        return c;
    }
    int logp[2];
    if (::pipe2(logp, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        ::close(sv[0]);
        ::close(sv[1]);
        return c;
    }
    int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    std::string prog = program.string();
    std::vector<char*> argv = {prog.data(), const_cast<char*>(label.c_str()), nullptr};
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) exec_child(prog.c_str(), argv.data(), parent, devnull, logp[1], sv[1], plugin_fd, limits);
    int saved = errno;
    ::close(sv[1]);
    ::close(logp[1]);
    if (devnull >= 0) ::close(devnull);
    if (pid < 0) {
        error = std::string("fork: ") + std::strerror(saved);
        ::close(sv[0]);
        ::close(logp[0]);
        return c;
    }
    ::setpgid(pid, pid); // as the child does: whichever runs first (EACCES once it has exec'd)
    c.pid = pid;
    c.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    c.channel = sv[0];
    c.log = logp[0];
    ::fcntl(c.channel, F_SETFL, ::fcntl(c.channel, F_GETFL) | O_NONBLOCK);
    ::fcntl(c.log, F_SETFL, ::fcntl(c.log, F_GETFL) | O_NONBLOCK);
    int buf = 1 << 20;
    ::setsockopt(c.channel, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    ::setsockopt(c.channel, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    return c;
}

} // namespace plugrpc::isolate
