// `plugrpcd -t` as the service would run: the unit (plugrpcd.service) runs
// the daemon as an unprivileged user inside a sandbox, so a configuration
// that root can read may still fail there — a key readable by root alone,
// plugins under /root. This check opens every file the daemon reads as that
// user (in a child process that drops to the user's ids and groups; only
// root can do that), and names every path the sandbox hides.
#pragma once

#include "daemon/config/config.hpp"

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace plugrpc {

struct ServiceCheck {
    std::vector<std::string> problems; // "FILE (WHAT): why", each a reason to exit 1
    std::vector<std::string> notes;    // "not checked: ...", what could not be tried
    std::optional<uid_t> uid;          // the service user's, when checked as it
};

// `user` is the service's user; `named` says the operator named it
// (--as-user), so checking as that user was asked for: then its absence is
// a problem, and the sandbox is checked even when not run as root. Without
// it, a non-root caller only gets a note, and a missing default user too.
ServiceCheck check_as_service(const Config& config, const std::string& user, bool named);

} // namespace plugrpc
