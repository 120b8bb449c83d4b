#include "server/rpc/peer_identity.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>

namespace plugrpc {
namespace ip = boost::asio::ip;

std::string PeerIdentity::describe() const {
    std::string out;
    const sockaddr* sa = address.data();
    if (address.size() > 0 && (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)) {
        ip::tcp::endpoint tcp;
        std::memcpy(tcp.data(), sa, std::min<std::size_t>(address.size(), sizeof(sockaddr_in6)));
        ip::address a = tcp.address();
        if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
        out = a.to_string();
    } else if (has_credentials) {
        out = "uid " + std::to_string(uid) + " gid " + std::to_string(gid);
    } else if (address.size() > 0 && sa->sa_family == AF_UNIX) {
        out = "a unix-socket peer";
    } else {
        out = "this peer";
    }
    if (tls) out += subject.empty() ? " (no client certificate)" : " (certificate " + subject + ")";
    return out;
}

void read_peer_credentials(int fd, PeerIdentity& who) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) return;
    who.has_credentials = true;
    who.uid = cred.uid;
    who.gid = cred.gid;
#ifdef SO_PEERGROUPS
    // At most 64 groups are looked at: a peer in more may be refused a
    // rule that names one of the rest.
    gid_t groups[64];
    socklen_t glen = sizeof groups;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
        who.groups.assign(groups, groups + glen / sizeof(gid_t));
#endif
}

} // namespace plugrpc
