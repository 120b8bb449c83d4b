// plugrpc-plugin-host: the child process an isolated plugin runs in.
// plugrpcd starts it with the channel's pipes on fds 3 (answers) and 5
// (calls) and the plugin's sealed copy on fd 4 (server/isolate/spawn.hpp);
// it is not meant to be run by hand.
#include "server/isolate/child.hpp"
#include "server/isolate/spawn.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
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
    // Lines the daemon logs under the plugin's name, with their level.
    auto logger = spdlog::stderr_logger_mt("plugin");
    logger->set_pattern("%L %v");
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
    return serve_child(kChildCallsFd, kChildAnswersFd);
}
