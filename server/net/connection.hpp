// A connection between accept and close: its socket, the settings it runs
// under, and its place in the open-connection counts. Moved from the sniffer
// into the session of its protocol.
#pragma once

#include "server/net/context.hpp"

#include <boost/beast/core/flat_buffer.hpp>

#include <memory>
#include <optional>
#include <string>

namespace plugrpc {

struct Connection {
    Socket socket;
    ServeContext& ctx;
    std::shared_ptr<const Settings> settings;
    std::unique_ptr<ProtocolGauge> gauge;
    std::string peer; // "tcp://127.0.0.1:53211" or "unix://...", for log lines
    // Who is on the other end, for access checks: the socket's peer, or for
    // tls:// the TLS client (the socket is then one end of a socket pair).
    boost::asio::generic::stream_protocol::endpoint remote;
    // The same, with what else is known of the peer (unix credentials, TLS
    // certificate subject, the proxy it came through): for access rules.
    PeerIdentity who;
};

// The connection's access gate, when the settings it runs under have rules.
inline void open_access_gate(Connection& conn, std::optional<AccessGate>& gate) {
    if (conn.settings->access)
        gate.emplace(conn.settings->access, conn.who, conn.peer, conn.ctx.counters.access_refused);
}

// Bytes already read from the socket travel with the connection.
using ReadBuffer = boost::beast::flat_buffer;

void start_json_session(Connection conn, ReadBuffer buffer);
void start_http_session(Connection conn, ReadBuffer buffer);
// An HTTP CONNECT (Go's rpc.DialHTTP), then gob.
void start_connect_handshake(Connection conn, ReadBuffer buffer);
// Go's gob protocol, straight on the socket or after an HTTP CONNECT.
void start_gob_session(Connection conn, ReadBuffer buffer);

} // namespace plugrpc
