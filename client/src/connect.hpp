// Opening a client connection: resolve, connect (TCP or unix socket), and
// for gob over HTTP the CONNECT handshake Go's rpc.DialHTTP does. Runs on
// the caller's thread before the I/O thread starts, bounded by
// Options::connect_timeout.
#pragma once

#include "session.hpp"

#include <plugrpc/client/options.hpp>

#include <boost/asio/io_context.hpp>

#include <string>

namespace plugrpc::client {

struct Connected {
    Socket socket;
    std::string already_read; // bytes after the CONNECT reply's header
};

Result<Connected> open_connection(boost::asio::io_context& io, const Address& address, const Options& options);

} // namespace plugrpc::client
