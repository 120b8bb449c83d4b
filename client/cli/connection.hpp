// A connection to the invocation's server, opened as its options say, and
// what the server says it serves, asked first on that same connection.
#pragma once

#include "discover.hpp"
#include "options.hpp"

namespace plugrpc::cli {

struct Connection {
    client::Client client;
    client::Protocol protocol; // JsonGo once a server answered in Go's jsonrpc dialect
    Discovery discovery;
};

// With --proto json, a server that answers in Go's jsonrpc dialect (Go's
// jsonrpc.ServeConn: an error string with no code) is connected to again
// in that dialect, which is the only one it reads.
client::Result<Connection> connect_and_discover(const Invocation& inv);

// The client options of the invocation (-v shows the wire on stderr).
client::Options client_options(const Invocation& inv, client::Protocol protocol);

} // namespace plugrpc::cli
