// Listeners with PROXY protocol (ListenAddress::proxy_protocol): the client
// a proxy relays is named in a PROXY v2 header (net/proxy_protocol.hpp)
// before any byte of the client's own, and before TLS on tls:// listeners.
//
// Per the protocol's rule, a receiver never guesses whether a header is
// there; trust decides:
// - a peer in ServerOptions::proxy_trusted must start with a v2 header (a
//   v1 text header is refused too). Its PROXY command's source address is
//   then the connection's peer for everything (logs, admin_allow, access
//   rules, metrics); a LOCAL command (the proxy's own health check) keeps
//   the proxy's address.
// - any other peer is served as itself, as on an ordinary listener; if its
//   first bytes are a PROXY header of either version, it is refused: only a
//   trusted proxy may say who the client is.
// Each refusal is logged and counted (plugrpc_proxy_protocol_refused_total);
// the header must arrive whole within header_timeout.
#pragma once

#include "server/net/context.hpp"

namespace plugrpc {

// Serve a connection accepted on a proxy_protocol listener; `tls` for a
// tls:// one (the TLS handshake follows the header).
void serve_proxy_connection(Socket socket, ServeContext& ctx, bool tls);

} // namespace plugrpc
