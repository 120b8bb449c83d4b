// One connection's view of the access rules (plugrpc/access.hpp): asked
// before each call is run. A refused call is answered with a refusal (in
// its protocol's words), counted by service for /metrics, and logged once
// per connection, not once per call.
#pragma once

#include <plugrpc/access.hpp>
#include "server/rpc/peer_identity.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace plugrpc {

// Calls refused by the access rules, by service (the services rules name:
// a bounded set).
class AccessRefusals {
public:
    void count(std::string_view service);
    std::map<std::string, std::uint64_t, std::less<>> snapshot() const;

private:
    mutable std::mutex mu_;
    std::map<std::string, std::uint64_t, std::less<>> by_service_;
};

// True when `rules` let `who` call `service_method` ("Service.Method").
bool access_allowed(const AccessRules& rules, std::string_view service_method, const PeerIdentity& who);

class AccessGate {
public:
    // `peer` names the connection in the log line.
    AccessGate(std::shared_ptr<const AccessRules> rules, const PeerIdentity& who, std::string peer,
               AccessRefusals& refusals)
        : rules_(std::move(rules)), who_(who), peer_(std::move(peer)), refusals_(refusals) {}

    // "" to run a call of `service_method`; else the text to refuse it with:
    // "rpc: access to Arith.Multiply refused for 10.1.2.3". Not thread-safe:
    // ask from the connection's own thread.
    std::string check(std::string_view service_method);

    // Whether discovery shows `service_method` to this peer (nothing counted).
    bool visible(std::string_view service_method) const {
        return !rules_ || access_allowed(*rules_, service_method, who_);
    }

private:
    std::shared_ptr<const AccessRules> rules_;
    const PeerIdentity& who_;
    std::string peer_;
    AccessRefusals& refusals_;
    bool logged_ = false;
};

} // namespace plugrpc
