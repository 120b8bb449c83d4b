// TLS for tls:// listeners, in front of the ordinary sniffer and sessions.
//
// A TLS connection is handshaken here; its decrypted bytes then travel
// through a local socket pair whose other end is served exactly like an
// accepted TCP connection (every protocol, every limit), with the TLS
// client's address used for logs and admin access. The cost is one extra
// local hop per direction, paid by TLS connections only; in return not one
// session knows about TLS.
#pragma once

#include <plugrpc/server_options.hpp>
#include "server/net/context.hpp"

#include <memory>
#include <string>

namespace plugrpc {

using TlsContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// The certificate chain and key of `config`'s [tls] section, checked to
// match, and the CAs client certificates are verified against ([tls]
// client_ca, client_auth). Null with `error` naming the file when they do not load; null with
// no error when the config has no tls:// listener and no [tls] files.
TlsContextPtr load_tls_context(const ServerOptions& config, std::string& error);

// Serve a connection accepted on a tls:// listener. `who`, when given, is
// the client a PROXY header named (net/proxy_front.hpp); the certificate
// subject the handshake verifies is added to it.
void serve_tls_connection(Socket socket, ServeContext& ctx, const PeerIdentity* who = nullptr);

} // namespace plugrpc
