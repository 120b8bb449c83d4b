#include <plugrpc/access.hpp>

#include <grp.h>
#include <pwd.h>

#include <vector>

namespace plugrpc {

namespace {

// A number, or a name the system's user (group) database knows.
std::optional<std::uint32_t> lookup_id(const std::string& name, bool group, std::string& why) {
    if (!name.empty() && name.size() <= 10 && name.find_first_not_of("0123456789") == std::string::npos) {
        unsigned long v = std::stoul(name);
        if (v <= 0xFFFFFFFEul) return static_cast<std::uint32_t>(v);
    }
    std::vector<char> buf(16384);
    if (group) {
        struct group g{}, *found = nullptr;
        if (::getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found) == 0 && found) return found->gr_gid;
    } else {
        struct passwd p{}, *found = nullptr;
        if (::getpwnam_r(name.c_str(), &p, buf.data(), buf.size(), &found) == 0 && found) return found->pw_uid;
    }
    why = std::string(group ? "no group" : "no user") + " named \"" + name + "\" on this system";
    return std::nullopt;
}

} // namespace

std::optional<AccessRule> AccessRule::parse(const std::string& text, std::string& why) {
    AccessRule r;
    r.text = text;
    auto rest = [&](std::string_view prefix) { return text.substr(prefix.size()); };
    if (text.rfind("uid:", 0) == 0 || text.rfind("gid:", 0) == 0) {
        bool group = text[0] == 'g';
        auto id = lookup_id(rest("uid:"), group, why);
        if (!id) {
            why = "\"" + text + "\": " + why;
            return std::nullopt;
        }
        r.kind = group ? Kind::Gid : Kind::Uid;
        r.id = *id;
        return r;
    }
    if (text.rfind("subject:", 0) == 0) {
        r.kind = Kind::Subject;
        r.subject = rest("subject:");
        if (r.subject.empty()) {
            why = "\"" + text + "\": expected a certificate subject such as \"subject:CN=alice,O=ops\"";
            return std::nullopt;
        }
        return r;
    }
    auto range = Cidr::parse(text, why);
    if (!range) {
        why += " (expected an address, a CIDR range, \"uid:USER\", \"gid:GROUP\" or \"subject:DN\")";
        return std::nullopt;
    }
    r.kind = Kind::Range;
    r.range = *range;
    return r;
}

} // namespace plugrpc
