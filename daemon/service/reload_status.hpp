// The truth about reloads, for `plugrpcd reload` (systemd's ExecReload):
// the daemon writes the outcome of every reload to a small file in its
// runtime folder ($RUNTIME_DIRECTORY, or --runtime-dir); the command sends
// SIGHUP, waits until the file names a newer reload, prints the outcome and
// exits 0 only if the new configuration took effect. `systemctl reload`
// then fails visibly for a configuration the daemon rejected.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

namespace plugrpc {

struct ReloadStatus {
    std::uint64_t generation = 0; // 0: started, no reload yet
    bool ok = true;
    std::string text; // "started", "ok: ...", "rejected: why"
};

// Written atomically (a temporary file renamed over it). False with why.
bool write_reload_status(const std::filesystem::path& runtime_dir, const ReloadStatus& s, std::string& error);
std::optional<ReloadStatus> read_reload_status(const std::filesystem::path& runtime_dir);

// `plugrpcd reload`: SIGHUP to `pid`, then wait up to `timeout` for the
// outcome. Prints it; returns the exit status (0 took effect, 1 rejected or
// no answer, 2 could not ask).
int request_reload(pid_t pid, const std::filesystem::path& runtime_dir, std::chrono::milliseconds timeout);

} // namespace plugrpc
