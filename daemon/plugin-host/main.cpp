// plugrpc-plugin-host: the child process an isolated plugin runs in.
// plugrpcd starts it with the channel's pipes on fds 3 (answers) and 5
// (calls) and the plugin's sealed copy on fd 4 (server/isolate/spawn.hpp);
// it is not meant to be run by hand. It forks at once: the plugin runs in
// the worker, and this first process stays to end what the plugin leaves
// running (reaper.hpp).
#include "reaper.hpp"
#include "server/isolate/child.hpp"
#include "server/isolate/spawn.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>

int main(int argc, char**) {
    using namespace plugrpc::isolate;
    struct stat answers{}, calls{};
    if (argc < 2 || ::fstat(kChildAnswersFd, &answers) != 0 || !S_ISFIFO(answers.st_mode) ||
        ::fstat(kChildCallsFd, &calls) != 0 || !S_ISFIFO(calls.st_mode)) {
        std::fprintf(stderr, "plugrpc-plugin-host: started by plugrpcd for an isolated plugin, not by hand\n");
        return 2;
    }
    // The daemon ends the child by closing the channel; a terminal's ^C or
    // a stop's SIGTERM to the whole group is the daemon's to act on.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    std::signal(SIGPIPE, SIG_IGN);
    // A program the plugin starts does not get the channel or the plugin file.
    for (int fd : {kChildAnswersFd, kChildPluginFd, kChildCallsFd}) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    // What the plugin's processes leave behind is adopted here, not by
    // init (not inherited by the worker: its own children stay its own).
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        std::fprintf(stderr, "W cannot adopt what the plugin leaves running (PR_SET_CHILD_SUBREAPER: %s)\n",
                     std::strerror(errno));
    pid_t worker = plugrpc::reaper::start_worker();
    if (worker < 0) {
        std::fprintf(stderr, "E cannot start the plugin's process: fork: %s\n", std::strerror(errno));
        return 1;
    }
    if (worker > 0) {
        const int channel[] = {kChildAnswersFd, kChildPluginFd, kChildCallsFd};
        plugrpc::reaper::reap_until_worker_ends(worker, channel, 3);
    }
    // Lines the daemon logs under the plugin's name, with their level.
    auto logger = spdlog::stderr_logger_mt("plugin");
    logger->set_pattern("%L %v");
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
    return serve_child(kChildCallsFd, kChildAnswersFd);
}
