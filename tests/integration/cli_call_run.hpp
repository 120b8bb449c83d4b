// Running a program to completion with its stdin fed and its stdout and
// stderr captured, killed after a timeout: the `plugrpc` CLI, promtool.
#pragma once

#include "daemon.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

namespace plugrpc::test {

// The plugrpc CLI built with these tests.
inline std::string plugrpc_cli() { return PLUGRPC_TEST_PLUGRPC; }

inline RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                             const std::string& input = {}, Millis timeout = 20s) {
    std::vector<std::string> all{program};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);

    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) throw HarnessError("pipe failed");
    pid_t pid = fork();
    if (pid < 0) throw HarnessError("fork failed");
    if (pid == 0) {
        dup2(in[0], 0), dup2(out[1], 1), dup2(err[1], 2);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(in[0]), close(out[1]), close(err[1]);
    // Small inputs fit the pipe; then stdin ends.
    if (!input.empty() && write(in[1], input.data(), input.size()) != static_cast<ssize_t>(input.size()))
        throw HarnessError("writing stdin failed");
    close(in[1]);

    RunResult r;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open_fds = 2;
    while (open_fds > 0) {
        auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
            throw HarnessError(program + " did not finish in time; stderr: " + r.err);
        }
        if (poll(fds, 2, static_cast<int>(left)) < 0 && errno != EINTR) throw HarnessError("poll failed");
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<std::size_t>(n));
            } else {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

inline RunResult run_cli(const std::vector<std::string>& args, const std::string& input = {}) {
    return run_program(plugrpc_cli(), args, input);
}

} // namespace plugrpc::test
