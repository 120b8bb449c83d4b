// What a server is told: where to listen, its paths, threads, limits and TLS
// material. The daemon reads these from its config file ([server], [http],
// [tls], [limits]); an embedding program sets them in code.
#pragma once

#include <plugrpc/access.hpp>
#include <plugrpc/cidr.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace plugrpc {

struct ListenAddress {
    enum class Kind { Tcp, Tls, Unix } kind = Kind::Tcp;
    std::string host;  // Tcp, Tls: "127.0.0.1", "::1", "0.0.0.0"
    std::uint16_t port = 0;
    std::string path;  // Unix
    std::string text;  // as written: "tcp://127.0.0.1:1234"
    // Tcp, Tls: connections from ServerOptions::proxy_trusted start with a
    // PROXY v2 header naming the client (server/net/proxy_front.hpp). Set
    // by Server::listen() for the addresses of ServerOptions::proxy_protocol.
    bool proxy_protocol = false;

    // The same place to listen: kind, host and port (or path).
    bool same_place(const ListenAddress& other) const;
};

// "tcp://host:port", "tcp://[v6]:port", "host:port", "tls://host:port",
// "unix:///path" or "unix:/path".
std::optional<ListenAddress> parse_listen_address(const std::string& text, std::string& why);

struct Limits {
    std::size_t max_message_bytes = 4u << 20;
    unsigned max_json_depth = 64;
    std::size_t max_batch = 1000;
    std::size_t max_connections = 10000;
    std::size_t max_inflight_per_connection = 128;
    std::size_t max_inflight = 100000;
    // Reply bytes a stream peer may leave unread (queued here and in the
    // socket) before its connection stops being read until it reads.
    std::size_t max_unread_reply_bytes = 256u << 10;
    // Memory the gob type definitions of every connection may hold
    // together; a definition beyond it closes its connection.
    std::size_t max_gob_type_bytes = 64u << 20;
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
    std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
    // A call its method has not answered within this is answered with a
    // timeout error and no longer counts as in flight; 0: no limit.
    std::chrono::milliseconds call_timeout{std::chrono::seconds(60)};
    // Limits of their own for "Service.Method" or a whole "Service" (0: none).
    std::map<std::string, std::chrono::milliseconds, std::less<>> call_timeouts;
    // Calls of "Service.Method" (or of any method of "Service") that may run
    // at once; beyond it a call fails at once as overloaded (0: no limit).
    std::map<std::string, std::size_t, std::less<>> max_concurrency;
};

struct ServerOptions {
    std::vector<ListenAddress> listen;
    std::string rpc_path = "/_goRPC_";
    std::string debug_path = "/debug/rpc";
    unsigned threads = 0;              // 0: one per CPU the process may run on
    unsigned blocking_threads = 4;     // pool for methods registered as blocking
    unsigned max_blocking_threads = 1024; // the pool grows to this while blocking calls wait
    // The timed waits of blocking methods (a sleep, a poll's timeout) may
    // end this much late, so that the kernel wakes many at one timer
    // interrupt, as Go's millisecond timers do; 0: each thread keeps the
    // slack it starts with.
    std::chrono::microseconds blocking_timer_slack{1000};
    std::chrono::milliseconds drain_timeout{std::chrono::seconds(10)};
    // Behind a load balancer: how long a stop keeps serving with /readyz
    // failing (and the agent check saying "drain") before it stops
    // accepting, so the balancer's health check sees it first. 0: at once.
    std::chrono::milliseconds drain_delay{0};
    // Services /readyz waits for: 503 while one of them is not served.
    std::vector<std::string> required_services;
    // Under load, serve what arrives within this time in one wake-up
    // (net/io_loop.hpp); 0 wakes for every request.
    std::chrono::microseconds batch_wait{100};

    // Who may read the debug page, /metrics and /openrpc.json besides
    // loopback and unix-socket peers.
    std::vector<Cidr> admin_allow;

    // The certificate chain and private key (PEM) of tls:// listeners.
    std::filesystem::path tls_cert_file;
    std::filesystem::path tls_key_file;
    // Client certificates of tls:// listeners are verified against these
    // CAs (PEM); `Require` refuses a handshake without one, `Optional`
    // takes it without (access rules then see no subject).
    enum class ClientAuth { None, Optional, Require };
    std::filesystem::path tls_client_ca;
    ClientAuth tls_client_auth = ClientAuth::None;

    // Listeners (addresses as in `listen`, tcp:// or tls://) whose
    // connections from `proxy_trusted` peers start with a PROXY v2 header
    // naming the client. Read when a listener is bound.
    std::vector<ListenAddress> proxy_protocol;
    std::vector<Cidr> proxy_trusted;

    // Who may call what (plugrpc/access.hpp); empty: everyone everything.
    AccessRules access;

    Limits limits;

    // [jsonrpc] default_service: a JSON-RPC 2.0 method name without a dot
    // ("subtract") is looked up in this service ("Spec.subtract"), so
    // clients written for flat names work. Empty: such a name is
    // ill-formed, as in Go. Go's jsonrpc dialect and gob are unaffected.
    std::string jsonrpc_default_service;

    unsigned io_threads() const;
};

} // namespace plugrpc
