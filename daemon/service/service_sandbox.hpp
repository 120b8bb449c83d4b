// What the sandbox of plugrpcd.service (packaging/systemd) hides from the
// daemon, for `plugrpcd -t`: a file the operator can read as root may not
// exist for the service at all. The rules follow the unit as shipped; a
// unit test compares them with the unit file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace plugrpc {

struct HiddenTree {
    std::string_view path;      // and everything under it
    std::string_view directive; // the unit's line that hides it
};

// ProtectHome=yes: /home, /root and /run/user are empty and inaccessible.
// PrivateTmp=yes: /tmp and /var/tmp are the service's own, empty folders.
inline constexpr HiddenTree kHiddenTrees[] = {
    {"/home", "ProtectHome=yes"}, {"/root", "ProtectHome=yes"}, {"/run/user", "ProtectHome=yes"},
    {"/tmp", "PrivateTmp=yes"},   {"/var/tmp", "PrivateTmp=yes"},
};

// ProtectSystem=strict leaves only the RuntimeDirectory= writable, so a unix
// socket can be created there and nowhere else.
inline constexpr std::string_view kServiceRuntimeDir = "/run/plugrpcd";
inline constexpr std::string_view kWritableDirectives = "ProtectSystem=strict, RuntimeDirectory=plugrpcd";

// Why the service cannot see the absolute `path` ("under /tmp, which
// plugrpcd.service hides from the service (PrivateTmp=yes)"), or nothing.
std::optional<std::string> hidden_from_service(const std::filesystem::path& path);

// Why the service cannot create a unix socket at `path`, or nothing.
std::optional<std::string> socket_blocked_for_service(const std::filesystem::path& path);

} // namespace plugrpc
