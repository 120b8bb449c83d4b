#include "daemon/service/check_as_service.hpp"

#include "daemon/service/service_sandbox.hpp"
#include "server/plugin/loaded_plugin.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace plugrpc {

namespace {

struct Need {
    std::filesystem::path path;
    std::string what; // "the configuration", "[tls] key_file", "a plugin folder", "a plugin"
    bool directory = false;
};

std::vector<Need> files_the_daemon_reads(const Config& c) {
    std::vector<Need> needs{{c.file, "the configuration"}};
    if (!c.tls_cert_file.empty()) needs.push_back({c.tls_cert_file, "[tls] cert_file"});
    if (!c.tls_key_file.empty()) needs.push_back({c.tls_key_file, "[tls] key_file"});
    if (!c.tls_client_ca.empty()) needs.push_back({c.tls_client_ca, "[tls] client_ca"});
    for (const auto& dir : c.plugin_dirs) {
        needs.push_back({dir, "a plugin folder", true});
        std::string error; // a folder root cannot list is reported by the plugin scan
        for (auto& file : list_plugin_files(dir, error)) needs.push_back({file, "a plugin"});
    }
    return needs;
}

std::string named(const Need& n) { return n.path.string() + " (" + n.what + ")"; }

void check_sandbox(const Config& c, const std::vector<Need>& needs, ServiceCheck& out) {
    for (const auto& n : needs) {
        std::error_code ec;
        auto absolute = std::filesystem::absolute(n.path, ec);
        if (auto why = hidden_from_service(absolute)) {
            out.problems.push_back(named(n) + ": " + *why);
            continue;
        }
        auto real = std::filesystem::weakly_canonical(absolute, ec);
        if (!ec && real != absolute)
            if (auto why = hidden_from_service(real))
                out.problems.push_back(named(n) + ": it resolves to " + real.string() + ", " + *why);
    }
    for (const auto& l : c.listen)
        if (l.kind == ListenAddress::Kind::Unix)
            if (auto why = socket_blocked_for_service(l.path)) out.problems.push_back(l.text + ": " + *why);
}

// Opens every file as `pw` in a child that has dropped root: what the
// kernel says there is what the service will meet. Errors (errno) by index.
struct Denial {
    int index;
    int error;
};

void check_access(const passwd& pw, const std::vector<Need>& needs, ServiceCheck& out) {
    std::string user = pw.pw_name;
    int count = 64;
    std::vector<gid_t> groups(count);
    if (::getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &count) < 0) {
        groups.resize(count);
        ::getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &count);
    }
    groups.resize(count);
    std::vector<std::string> paths;
    for (const auto& n : needs) paths.push_back(n.path.string());
    uid_t uid = pw.pw_uid;
    gid_t gid = pw.pw_gid;
    bool switch_ids = ::geteuid() != pw.pw_uid; // root: become the user; the user already is

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        out.notes.push_back("not checked: whether user " + user + " can read the files: pipe: " + std::strerror(errno));
        return;
    }
    pid_t child = ::fork();
    if (child < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        out.notes.push_back("not checked: whether user " + user + " can read the files: fork: " + std::strerror(errno));
        return;
    }
    if (child == 0) {
        // Only system calls from here: the parent may have other threads.
        ::close(fds[0]);
        if (switch_ids &&
            (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) {
            Denial d{-1, errno};
            (void)!::write(fds[1], &d, sizeof d);
            ::_exit(1);
        }
        for (std::size_t i = 0; i < paths.size(); ++i) {
            int fd = ::open(paths[i].c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (needs[i].directory ? O_DIRECTORY : 0));
            if (fd >= 0) {
                ::close(fd);
                continue;
            }
            Denial d{static_cast<int>(i), errno};
            (void)!::write(fds[1], &d, sizeof d);
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    Denial d{};
    while (::read(fds[0], &d, sizeof d) == static_cast<ssize_t>(sizeof d)) {
        if (d.index < 0 || static_cast<std::size_t>(d.index) >= needs.size()) {
            out.notes.push_back("not checked: whether user " + user + " can read the files: cannot become " + user +
                                ": " + std::strerror(d.error));
            continue;
        }
        out.problems.push_back(named(needs[d.index]) + ": user " + user + " cannot read it: " + std::strerror(d.error));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
}

} // namespace

ServiceCheck check_as_service(const Config& config, const std::string& user, bool named_user) {
    ServiceCheck out;
    std::vector<char> buffer(16384);
    passwd pw{};
    passwd* found = nullptr;
    ::getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found);
    uid_t self = ::geteuid();
    if (!found) {
        if (named_user)
            out.problems.push_back("--as-user " + user + ": no such user");
        else
            out.notes.push_back("not checked as the service: user " + user +
                                " does not exist (the package creates it; --as-user USER checks as another)");
        return out;
    }
    if (!named_user && self != 0 && self != found->pw_uid) {
        out.notes.push_back("not checked as the service: plugrpcd -t runs as uid " + std::to_string(self) +
                            ", so neither what user " + user +
                            " can read nor what the unit's sandbox hides was checked (run it as root)");
        return out;
    }
    out.uid = found->pw_uid;
    std::vector<Need> needs = files_the_daemon_reads(config);
    check_sandbox(config, needs, out);
    if (self == 0 || self == found->pw_uid)
        check_access(*found, needs, out);
    else
        out.notes.push_back("not checked: whether user " + user + " can read " + std::to_string(needs.size()) +
                            " files (the configuration, TLS files, plugin folders and plugins): only root can "
                            "open them as another user");
    return out;
}

} // namespace plugrpc
