#include "reaper.hpp"

#include "server/http/process_stats.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace plugrpc::reaper {

namespace {

// The processes whose parent is this one now (read from /proc: what this
// process adopted has no other record).
std::vector<pid_t> children() {
    std::vector<pid_t> found;
    pid_t self = ::getpid();
    long ticks = ::sysconf(_SC_CLK_TCK), page = ::sysconf(_SC_PAGESIZE);
    DIR* proc = ::opendir("/proc");
    if (!proc) return found;
    while (dirent* e = ::readdir(proc)) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (pid <= 0 || *end != '\0') continue;
        std::ifstream in("/proc/" + std::string(e->d_name) + "/stat");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto stats = parse_proc_stat(text, 0, ticks, page); // none: gone meanwhile
        if (stats && stats->parent_pid == self) found.push_back(static_cast<pid_t>(pid));
    }
    ::closedir(proc);
    return found;
}

// Reap every child that has ended. False once this process has none left.
bool reap_ended() {
    for (;;) {
        pid_t p = ::waitpid(-1, nullptr, WNOHANG);
        if (p > 0) continue;
        if (p < 0 && errno == EINTR) continue;
        return !(p < 0 && errno == ECHILD);
    }
}

// Kill what the worker left running, and what that leaves to this process
// in turn as it dies, until nothing is left (a second at most: a process
// that forks faster than it is killed is left to the daemon's group kill
// and to the unit's).
void end_the_rest() {
    using namespace std::chrono;
    auto until = steady_clock::now() + 1s;
    while (reap_ended()) {
        for (pid_t p : children()) ::kill(p, SIGKILL);
        if (steady_clock::now() > until) return;
        std::this_thread::sleep_for(5ms);
    }
}

// End as the worker ended: the daemon reports how.
[[noreturn]] void exit_as(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        ::sigaction(sig, &dfl, nullptr);
        sigset_t only;
        sigemptyset(&only);
        sigaddset(&only, sig);
        ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
        ::kill(::getpid(), sig);
        ::_exit(128 + sig); // a signal whose default is not to end the process
    }
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

} // namespace

pid_t start_worker() {
    pid_t self = ::getpid();
    pid_t pid = ::fork();
    if (pid != 0) return pid;
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != self) ::_exit(1); // this process's parent died before the line above
    return 0;
}

void reap_until_worker_ends(pid_t worker, const int* channel, int channel_count) {
    for (int i = 0; i < channel_count; ++i) ::close(channel[i]);
    int status = 0;
    for (;;) {
        int st = 0;
        pid_t p = ::waitpid(-1, &st, 0);
        if (p == worker) {
            status = st;
            break;
        }
        if (p < 0 && errno != EINTR) { // no child: cannot be while the worker runs
            status = 1 << 8;
            break;
        }
    }
    end_the_rest();
    exit_as(status);
}

} // namespace plugrpc::reaper
