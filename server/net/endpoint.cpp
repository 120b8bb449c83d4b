#include "server/net/endpoint.hpp"

#include <cstring>
#include <sys/un.h>

namespace plugrpc {
namespace ip = boost::asio::ip;

std::optional<ip::tcp::endpoint> ip_endpoint(const GenericEndpoint& ep) {
    const sockaddr* sa = ep.data();
    if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) return std::nullopt;
    ip::tcp::endpoint tcp;
    std::memcpy(tcp.data(), sa, std::min<std::size_t>(ep.size(), sizeof(sockaddr_in6)));
    if (tcp.address().is_v6() && tcp.address().to_v6().is_v4_mapped())
        tcp.address(ip::make_address_v4(ip::v4_mapped, tcp.address().to_v6()));
    return tcp;
}

std::string endpoint_url(const GenericEndpoint& ep) {
    if (auto tcp = ip_endpoint(ep)) {
        std::string host = tcp->address().to_string();
        if (tcp->address().is_v6()) host = "[" + host + "]";
        return "tcp://" + host + ":" + std::to_string(tcp->port());
    }
    if (ep.data()->sa_family == AF_UNIX) {
        auto* un = reinterpret_cast<const sockaddr_un*>(ep.data());
        std::size_t max = ep.size() > offsetof(sockaddr_un, sun_path) ? ep.size() - offsetof(sockaddr_un, sun_path) : 0;
        std::string path(un->sun_path, strnlen(un->sun_path, std::min(max, sizeof un->sun_path)));
        return "unix://" + (path.empty() ? std::string("(unnamed)") : path);
    }
    return "(unknown address family)";
}

} // namespace plugrpc
