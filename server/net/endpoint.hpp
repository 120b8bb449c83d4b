// Reading the addresses of generic (TCP or unix) sockets.
#pragma once

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <string>

namespace plugrpc {

using GenericEndpoint = boost::asio::generic::stream_protocol::endpoint;

// The IP endpoint, if this is an IPv4 or IPv6 one (v4-mapped IPv6
// addresses are given as IPv4).
std::optional<boost::asio::ip::tcp::endpoint> ip_endpoint(const GenericEndpoint& ep);

// "tcp://127.0.0.1:1234", "tcp://[::1]:1234" or "unix:///run/x.sock".
std::string endpoint_url(const GenericEndpoint& ep);

} // namespace plugrpc
