#include "server/isolate/spawn.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <mutex>
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
                             int answers_w, int plugin_fd, int calls_r, const SpawnLimits& limits) {
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
    // Out of the way of 0..5 first, then into place.
    int fds[5] = {devnull, log_w, answers_w, plugin_fd, calls_r};
    for (int& fd : fds) {
        int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
        if (moved < 0) ::_exit(127);
        fd = moved;
    }
    if (::dup2(fds[0], 0) < 0 || ::dup2(fds[1], 1) < 0 || ::dup2(fds[1], 2) < 0 ||
        ::dup2(fds[2], kChildAnswersFd) < 0 || ::dup2(fds[3], kChildPluginFd) < 0 || ::dup2(fds[4], kChildCallsFd) < 0)
        ::_exit(127);
    ::syscall(SYS_close_range, unsigned(kChildCallsFd + 1), ~0u, 0u);
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::execv(program, argv);
    ::_exit(127);
}

// A write to a child that has died fails with EPIPE rather than end the
// process: SIGPIPE ignored, unless the program chose a handler of its own.
void ignore_sigpipe_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction now {};
        if (::sigaction(SIGPIPE, nullptr, &now) == 0 && now.sa_handler == SIG_DFL) ::signal(SIGPIPE, SIG_IGN);
    });
}

// A pipe as large as the system lets it be, up to 1 MiB (64 KiB otherwise).
void widen(int fd) {
    for (int size = 1 << 20; size > (64 << 10); size /= 2)
        if (::fcntl(fd, F_SETPIPE_SZ, size) >= 0) return;
}

} // namespace

Child spawn_child(const std::filesystem::path& program, const std::string& label, int plugin_fd,
                  const SpawnLimits& limits, std::string& error) {
    ignore_sigpipe_once();
    Child c;
    int calls[2], answers[2], logp[2];
    if (::pipe2(calls, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return c;
    }
    if (::pipe2(answers, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        for (int fd : calls) ::close(fd);
        return c;
    }
    if (::pipe2(logp, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        for (int fd : {calls[0], calls[1], answers[0], answers[1]}) ::close(fd);
        return c;
    }
    widen(calls[1]);
    widen(answers[1]);
    int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    std::string prog = program.string();
    std::vector<char*> argv = {prog.data(), const_cast<char*>(label.c_str()), nullptr};
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0)
        exec_child(prog.c_str(), argv.data(), parent, devnull, logp[1], answers[1], plugin_fd, calls[0], limits);
    int saved = errno;
    ::close(calls[0]);
    ::close(answers[1]);
    ::close(logp[1]);
    if (devnull >= 0) ::close(devnull);
    if (pid < 0) {
        error = std::string("fork: ") + std::strerror(saved);
        ::close(calls[1]);
        ::close(answers[0]);
        ::close(logp[0]);
        return c;
    }
    ::setpgid(pid, pid); // as the child does: whichever runs first (EACCES once it has exec'd)
    c.pid = pid;
    c.worker = pid;
    c.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    c.calls = calls[1];
    c.replies = answers[0];
    c.log = logp[0];
    for (int fd : {c.calls, c.replies, c.log}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return c;
}

} // namespace plugrpc::isolate
