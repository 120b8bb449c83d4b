#include "server/rpc/access_gate.hpp"

#include "server/net/endpoint.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

namespace plugrpc {

void AccessRefusals::count(std::string_view service) {
    std::lock_guard lock(mu_);
    auto it = by_service_.find(service);
    if (it == by_service_.end()) it = by_service_.emplace(std::string(service), 0).first;
    ++it->second;
}

std::map<std::string, std::uint64_t, std::less<>> AccessRefusals::snapshot() const {
    std::lock_guard lock(mu_);
    return by_service_;
}

namespace {

// The rules that apply to `service_method`: its own, else its service's.
const std::vector<AccessRule>* rules_for(const AccessRules& rules, std::string_view service_method) {
    if (rules.empty()) return nullptr;
    if (auto it = rules.find(service_method); it != rules.end()) return &it->second;
    auto dot = service_method.rfind('.');
    if (dot == std::string_view::npos) return nullptr;
    if (auto it = rules.find(service_method.substr(0, dot)); it != rules.end()) return &it->second;
    return nullptr;
}

bool matches(const AccessRule& r, const PeerIdentity& who) {
    switch (r.kind) {
    case AccessRule::Kind::Range: {
        auto ip = ip_endpoint(who.address);
        return ip && r.range.contains(ip->address());
    }
    case AccessRule::Kind::Uid: return who.has_credentials && who.uid == r.id;
    case AccessRule::Kind::Gid:
        if (!who.has_credentials) return false;
        if (who.gid == r.id) return true;
        for (gid_t g : who.groups)
            if (g == r.id) return true;
        return false;
    case AccessRule::Kind::Subject: return who.tls && !who.subject.empty() && who.subject == r.subject;
    }
    return false;
}

} // namespace

bool access_allowed(const AccessRules& rules, std::string_view service_method, const PeerIdentity& who) {
    const auto* list = rules_for(rules, service_method);
    if (!list) return true;
    for (const auto& r : *list)
        if (matches(r, who)) return true;
    return false;
}

std::string AccessGate::check(std::string_view service_method) {
    if (!rules_) return {};
    const auto* list = rules_for(*rules_, service_method);
    if (!list) return {};
    for (const auto& r : *list)
        if (matches(r, who_)) return {};
    auto dot = service_method.rfind('.');
    refusals_.count(service_method.substr(0, dot));
    std::string text = "rpc: access to " + std::string(service_method) + " refused for " + who_.describe();
    if (!logged_) {
        logged_ = true;
        bool own = rules_->count(service_method) > 0;
        spdlog::warn("{}: access to {} refused for {}: no entry of [access.{}] matches; further refusals on this "
                     "connection are counted, not logged",
                     peer_, service_method, who_.describe(),
                     own ? "\"" + std::string(service_method) + "\"" : std::string(service_method.substr(0, dot)));
    }
    return text;
}

} // namespace plugrpc
