// Address ranges ("10.0.0.0/8", "::1/128", "192.168.1.7") for access rules.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>

namespace plugrpc {

struct Cidr {
    boost::asio::ip::address network;
    unsigned prefix = 0;

    static std::optional<Cidr> parse(const std::string& text, std::string& why);
    bool contains(const boost::asio::ip::address& a) const;
};

} // namespace plugrpc
