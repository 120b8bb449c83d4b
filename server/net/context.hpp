// What every connection needs from the server: the dispatcher, the settings
// of the running config, and the live figures the debug page shows.
#pragma once

#include <plugrpc/program_status.hpp>
#include <plugrpc/server_options.hpp>
#include "server/registry/stats_history.hpp"
#include "server/http/admin_worker.hpp"
#include "server/net/loop_pulse.hpp"
#include "server/net/shared_setting.hpp"
#include "server/rpc/access_gate.hpp"
#include "server/rpc/dispatcher.hpp"
#include "wire/gob/types.hpp"

#include <boost/asio/generic/stream_protocol.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace boost::asio::ssl {
class context;
}

namespace plugrpc {

using Socket = boost::asio::generic::stream_protocol::socket;

enum class Protocol : std::uint8_t { Sniffing, Json, Http, Gob, GobHttp };
inline constexpr std::size_t kProtocols = 5;
const char* protocol_name(Protocol p);

// The part of the config a connection reads. Replaced as a whole on reload;
// a connection keeps the one it started with.
struct Settings {
    std::string rpc_path = "/_goRPC_";
    std::string debug_path = "/debug/rpc";
    Limits limits;
    std::vector<Cidr> admin_allow; // besides loopback and unix peers
    std::vector<std::string> required_services; // /readyz waits for them
    std::shared_ptr<const AccessRules> access; // null: no rules, everyone everything
    std::vector<Cidr> proxy_trusted;           // whose PROXY v2 header is believed
    // ServerOptions::proxy_protocol, for sockets bound elsewhere (systemd's).
    std::vector<ListenAddress> proxy_listeners;
    std::string jsonrpc_default_service; // flat JSON-RPC 2.0 names are looked up here
};

struct ConnectionCounters {
    std::array<std::atomic<std::int64_t>, kProtocols> open{};
    std::atomic<std::uint64_t> accepted{0};
    // Every open connection, whatever its phase (sniffing, handshake, serving).
    std::size_t total() const {
        std::int64_t n = 0;
        for (const auto& o : open) n += o.load(std::memory_order_relaxed);
        return n > 0 ? static_cast<std::size_t>(n) : 0;
    }
};

// Limits a peer can run into; counted for /metrics.
// (Calls refused by max_inflight are counted by the Dispatcher.)
enum class LimitKind : std::uint8_t { MessageBytes, JsonDepth, Connections, IdleTimeout, HeaderTimeout };
inline constexpr std::size_t kLimitKinds = 5;
const char* limit_name(LimitKind k);

// Why a proxy_protocol listener refused a connection (net/proxy_front.hpp).
enum class ProxyRefusal : std::uint8_t { Missing, Malformed, Untrusted };
inline constexpr std::size_t kProxyRefusals = 3;
const char* proxy_refusal_name(ProxyRefusal r);

struct DaemonCounters {
    std::atomic<std::uint64_t> plugin_load_failures{0};
    std::atomic<std::uint64_t> reloads{0};
    std::array<std::atomic<std::uint64_t>, kLimitKinds> limits_exceeded{};
    void limit(LimitKind k) { limits_exceeded[static_cast<std::size_t>(k)].fetch_add(1, std::memory_order_relaxed); }
    std::array<std::atomic<std::uint64_t>, kProxyRefusals> proxy_refused{};
    void proxy(ProxyRefusal r) { proxy_refused[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }
    AccessRefusals access_refused;
};

// A live connection, as the server sees it when it stops.
class Session {
public:
    virtual ~Session() = default;
    // Stop taking new calls: read what the peer already sent, answer it,
    // then close. Called on the session's own executor.
    virtual void drain() = 0;
    virtual boost::asio::any_io_executor executor() = 0;
};

// A stop that finds a connection before its first request (its protocol,
// PROXY header or TLS handshake still to come) waits this long for it, at
// most its header_timeout: it was accepted, and its client may be sending
// at that moment. Go's Shutdown waits for new connections too.
inline constexpr std::chrono::seconds kNewConnectionGrace{1};

// Every live session, so a stop can drain them.
class SessionSet {
public:
    void add(const std::shared_ptr<Session>& s);
    void remove(Session* s);
    // Ask every session to drain, each on its own executor.
    void drain_all();
    std::size_t size() const;

private:
    mutable std::mutex mu_;
    std::unordered_map<Session*, std::weak_ptr<Session>> live_;
};

struct ServeContext {
    Dispatcher& dispatcher;
    SharedSetting<const Settings> settings;
    ConnectionCounters connections;
    DaemonCounters counters;
    SessionSet sessions;
    std::atomic<bool> draining{false};
    // Health for load balancers (net/health.hpp): serving once every
    // listener is open; drain_announced from the moment a stop begins (its
    // drain_delay included), before `draining` stops the accepting.
    std::atomic<bool> serving{false};
    std::atomic<bool> drain_announced{false};
    // Set by a program that loads what it serves while it listens (plugrpcd's
    // start-up plugin loads): not ready until it is cleared.
    std::atomic<bool> loading{false};
    LoopPulse pulse;
    // Certificate and key of tls:// listeners; replaced on reload.
    SharedSetting<boost::asio::ssl::context> tls;
    std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
    // What the debug page shows beside the figures above: the listeners'
    // names (as logged), the embedding program's facts, and the per-method
    // history that the control thread samples once a second.
    SharedSetting<const std::vector<std::string>> listeners;
    SharedSetting<const ProgramStatus> program;
    StatsHistory history;
    // What the gob connections' type definitions hold together
    // (Limits::max_gob_type_bytes).
    gob::TypeBudget gob_types{Limits{}.max_gob_type_bytes};
    // Where the admin pages are rendered, off the network threads.
    AdminWorker admin;

    explicit ServeContext(Dispatcher& d) : dispatcher(d) {}
};

// Counts a connection as open under one protocol, moving as it is sniffed.
class ProtocolGauge {
public:
    ProtocolGauge(ConnectionCounters& c) : c_(c) { c_.open[0].fetch_add(1); }
    ~ProtocolGauge() { c_.open[static_cast<std::size_t>(p_)].fetch_sub(1); }
    ProtocolGauge(const ProtocolGauge&) = delete;
    ProtocolGauge& operator=(const ProtocolGauge&) = delete;
    void become(Protocol p) {
        c_.open[static_cast<std::size_t>(p)].fetch_add(1);
        c_.open[static_cast<std::size_t>(p_)].fetch_sub(1);
        p_ = p;
    }
    Protocol current() const { return p_; }

private:
    ConnectionCounters& c_;
    Protocol p_ = Protocol::Sniffing;
};

// Hand a freshly accepted connection over: it is sniffed, then served by the
// session of its protocol. `who`, when given, is the peer to name in logs
// and access checks instead of the socket's own (see net/tls_front.hpp,
// net/proxy_front.hpp); without it a unix peer's credentials are read.
void serve_connection(Socket socket, ServeContext& ctx, const PeerIdentity* who = nullptr);

} // namespace plugrpc
