// Choosing a connection's protocol from its first bytes (DESIGN.md):
// an HTTP method token means HTTP; '{', '[', whitespace or a UTF-8 byte
// order mark a JSON stream; anything else Go's gob.
#include "server/net/connection.hpp"
#include "server/net/endpoint.hpp"
#include "server/net/first_bytes_wait.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <array>

namespace plugrpc {
namespace asio = boost::asio;

const char* protocol_name(Protocol p) {
    switch (p) {
    case Protocol::Sniffing: return "sniffing";
    case Protocol::Json: return "json";
    case Protocol::Http: return "http";
    case Protocol::Gob: return "gob";
    case Protocol::GobHttp: return "gob-http";
    }
    return "?";
}

const char* limit_name(LimitKind k) {
    switch (k) {
    case LimitKind::MessageBytes: return "max_message_bytes";
    case LimitKind::JsonDepth: return "max_json_depth";
    case LimitKind::Connections: return "max_connections";
    case LimitKind::IdleTimeout: return "idle_timeout";
    case LimitKind::HeaderTimeout: return "header_timeout";
    }
    return "?";
}

const char* proxy_refusal_name(ProxyRefusal r) {
    switch (r) {
    case ProxyRefusal::Missing: return "missing";
    case ProxyRefusal::Malformed: return "malformed";
    case ProxyRefusal::Untrusted: return "untrusted";
    }
    return "?";
}

namespace {

enum class Verdict { NeedMore, Json, Http, Gob };

constexpr std::array<std::string_view, 9> kMethods = {"GET ",     "POST ",    "PUT ",   "HEAD ", "DELETE ",
                                                     "OPTIONS ", "CONNECT ", "PATCH ", "TRACE "};

// A UTF-8 byte order mark, which the JSON stream skips before a value
// (wire/jsonrpc/framer.hpp). No gob stream starts with 0xEF: as the first
// message's length it would be a 17-byte integer, which gob refuses.
constexpr std::string_view kBom = "\xEF\xBB\xBF";

Verdict sniff(std::string_view b) {
    if (b.empty()) return Verdict::NeedMore;
    char c = b[0];
    if (c == '{' || c == '[' || c == ' ' || c == '\t' || c == '\r' || c == '\n') return Verdict::Json;
    if (c == kBom[0]) {
        std::size_t n = std::min(b.size(), kBom.size());
        if (b.substr(0, n) == kBom.substr(0, n)) return n == kBom.size() ? Verdict::Json : Verdict::NeedMore;
    }
    if (c >= 'A' && c <= 'Z') {
        bool could_be = false;
        for (auto m : kMethods) {
            std::size_t n = std::min(m.size(), b.size());
            if (b.substr(0, n) == m.substr(0, n)) {
                if (n == m.size()) return Verdict::Http;
                could_be = true;
            }
        }
        if (could_be) return Verdict::NeedMore;
    }
    return Verdict::Gob;
}

// A connection until its first bytes say its protocol. It is a session of
// the stop's (SessionSet) until then, so that a stop does not take it for
// idle and drop the request on its way.
class Sniffer : public Session, public std::enable_shared_from_this<Sniffer> {
public:
    Sniffer(Connection conn)
        : conn_(std::move(conn)), home_(conn_.socket.get_executor()), wait_(home_, conn_.ctx.counters) {}
    ~Sniffer() override { ctx_->sessions.remove(this); }

    void start() {
        ctx_->sessions.add(shared_from_this());
        wait_.start(conn_.settings->limits.header_timeout, conn_.peer, "no request", give_up());
        if (ctx_->draining.load()) drain();
        read();
    }

    void drain() override {
        if (!handed_off_) wait_.stop_began(give_up());
    }
    asio::any_io_executor executor() override { return home_; }

private:
    // For wait_: close the connection unless it has been handed on.
    FirstBytesWait::GiveUp give_up() {
        return [self = shared_from_this()] {
            if (self->handed_off_) return false;
            boost::system::error_code ignored;
            self->conn_.socket.close(ignored);
            return true;
        };
    }

    void read() {
        conn_.socket.async_read_some(buffer_.prepare(512), [self = shared_from_this()](boost::system::error_code ec,
                                                                                       std::size_t n) {
            self->buffer_.commit(n);
            self->on_read(ec);
        });
    }

    void on_read(boost::system::error_code ec) {
        std::string_view seen(static_cast<const char*>(buffer_.data().data()), buffer_.size());
        Verdict v = sniff(seen);
        if (v == Verdict::NeedMore && !ec) return read();
        wait_.cancel();
        if (ec && seen.empty()) return; // closed before saying anything
        if (v == Verdict::NeedMore) v = Verdict::Gob;
        handed_off_ = true; // the session it becomes is the stop's from here
        switch (v) {
        case Verdict::Json: return start_json_session(std::move(conn_), std::move(buffer_));
        case Verdict::Http:
            if (seen.substr(0, 8) == "CONNECT ") return start_connect_handshake(std::move(conn_), std::move(buffer_));
            return start_http_session(std::move(conn_), std::move(buffer_));
        default: return start_gob_session(std::move(conn_), std::move(buffer_));
        }
    }

    Connection conn_;
    ServeContext* ctx_ = &conn_.ctx;
    asio::any_io_executor home_;
    ReadBuffer buffer_{64 * 1024};
    FirstBytesWait wait_;
    bool handed_off_ = false;
};

} // namespace

void serve_connection(Socket socket, ServeContext& ctx, const PeerIdentity* who) {
    ctx.connections.accepted.fetch_add(1, std::memory_order_relaxed);
    PeerIdentity identity;
    std::string peer = "peer";
    if (who) {
        identity = *who;
        peer = endpoint_url(identity.address) + (identity.tls ? " (tls)" : "");
        if (!identity.proxied_by.empty()) peer += " (via " + identity.proxied_by + ")";
    } else {
        boost::system::error_code ec;
        identity.address = socket.remote_endpoint(ec);
        if (!ec) peer = endpoint_url(identity.address);
        if (!ec && identity.address.data()->sa_family == AF_UNIX) read_peer_credentials(socket.native_handle(), identity);
    }
    GenericEndpoint ep = identity.address;
    Connection conn{std::move(socket), ctx, ctx.settings.load(), std::make_unique<ProtocolGauge>(ctx.connections),
                    std::move(peer), ep, std::move(identity)};
    std::make_shared<Sniffer>(std::move(conn))->start();
}

} // namespace plugrpc
