// Who may call what: rules per service ("Arith") or method
// ("Arith.Multiply"), each a list of peers allowed to call it. The daemon
// reads them from [access.<name>] tables; an embedding program sets
// ServerOptions::access.
//
//   "10.1.0.0/16", "127.0.0.1"    a TCP or TLS client in that range (the
//                                 address a PROXY v2 header gave, behind a proxy)
//   "uid:1000", "uid:alice"       a unix-socket peer running as that user (SO_PEERCRED)
//   "gid:100", "gid:plugrpc-users"  a unix-socket peer with that group, primary
//                                 or supplementary (SO_PEERGROUPS)
//   "subject:CN=alice,O=ops"      a TLS client whose certificate, verified
//                                 against [tls] client_ca, has that subject
//                                 (RFC 2253, as `openssl x509 -subject -nameopt
//                                 RFC2253` and Go's pkix.Name.String() write it)
//
// A method's own rule list wins over its service's; a call is allowed when
// any entry of the list that applies matches, so a list matching nothing
// refuses everyone. A service no rule names is open to every peer.
#pragma once

#include <plugrpc/cidr.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace plugrpc {

struct AccessRule {
    enum class Kind { Range, Uid, Gid, Subject } kind = Kind::Range;
    Cidr range;            // Range
    std::uint32_t id = 0;  // Uid, Gid (names are resolved when parsed)
    std::string subject;   // Subject
    std::string text;      // as written, for messages

    // Names of users and groups are looked up now: a name the system does
    // not know is an error.
    static std::optional<AccessRule> parse(const std::string& text, std::string& why);
};

// By "Service" or "Service.Method".
using AccessRules = std::map<std::string, std::vector<AccessRule>, std::less<>>;

} // namespace plugrpc
