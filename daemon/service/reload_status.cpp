#include "daemon/service/reload_status.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace plugrpc {

namespace {

std::filesystem::path status_file(const std::filesystem::path& dir) { return dir / "reload-status"; }

} // namespace

bool write_reload_status(const std::filesystem::path& runtime_dir, const ReloadStatus& s, std::string& error) {
    std::filesystem::path file = status_file(runtime_dir);
    std::filesystem::path tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        // One line: generation, ok|rejected, then the text (newlines folded).
        std::string text = s.text;
        for (char& c : text)
            if (c == '\n') c = ' ';
        out << s.generation << ' ' << (s.ok ? "ok" : "rejected") << ' ' << text << '\n';
        if (!out.flush()) {
            error = tmp.string() + ": cannot write: " + std::strerror(errno);
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        error = file.string() + ": " + ec.message();
        return false;
    }
    return true;
}

std::optional<ReloadStatus> read_reload_status(const std::filesystem::path& runtime_dir) {
    std::ifstream in(status_file(runtime_dir));
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    std::istringstream fields(line);
    ReloadStatus s;
    std::string word;
    if (!(fields >> s.generation >> word) || (word != "ok" && word != "rejected")) return std::nullopt;
    s.ok = word == "ok";
    std::getline(fields >> std::ws, s.text);
    return s;
}

int request_reload(pid_t pid, const std::filesystem::path& runtime_dir, std::chrono::milliseconds timeout) {
    auto before = read_reload_status(runtime_dir);
    if (!before) {
        std::fprintf(stderr,
                     "plugrpcd reload: no reload status in %s: is plugrpcd %d running with this runtime folder "
                     "(--runtime-dir, $RUNTIME_DIRECTORY)?\n",
                     runtime_dir.c_str(), static_cast<int>(pid));
        return 2;
    }
    if (::kill(pid, SIGHUP) != 0) {
        std::fprintf(stderr, "plugrpcd reload: cannot signal process %d: %s\n", static_cast<int>(pid),
                     std::strerror(errno));
        return 2;
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto now = read_reload_status(runtime_dir);
        if (now && now->generation > before->generation) {
            std::printf("plugrpcd reload: %s%s%s\n", now->ok ? "" : "rejected: ", now->text.c_str(),
                        now->ok ? "" : " (the running configuration stays)");
            return now->ok ? 0 : 1;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            std::fprintf(stderr, "plugrpcd reload: process %d did not report a reload within %lld ms\n",
                         static_cast<int>(pid), static_cast<long long>(timeout.count()));
            return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace plugrpc
