// Who is on the other end of a connection, as access rules and log lines
// see it: its address (behind a proxy, the one the PROXY v2 header gave),
// a unix peer's credentials, a TLS client's verified certificate subject.
#pragma once

#include <boost/asio/generic/stream_protocol.hpp>

#include <string>
#include <sys/types.h>
#include <vector>

namespace plugrpc {

struct PeerIdentity {
    boost::asio::generic::stream_protocol::endpoint address;
    // Unix-socket peers: the credentials of the process that connected.
    bool has_credentials = false;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups; // supplementary, where the kernel tells (SO_PEERGROUPS)
    bool tls = false;
    std::string subject;      // the TLS client certificate's, verified; "" without one
    std::string proxied_by;   // the proxy's address when a PROXY header named the client

    // What a refusal names: "10.1.2.3", "10.1.2.3 (certificate CN=bob)",
    // "uid 1001 gid 1001".
    std::string describe() const;
};

// Read SO_PEERCRED (and SO_PEERGROUPS) of a connected unix socket.
void read_peer_credentials(int fd, PeerIdentity& who);

} // namespace plugrpc
