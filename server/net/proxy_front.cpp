#include "server/net/proxy_front.hpp"
#include "server/net/first_bytes_wait.hpp"

#include "server/net/endpoint.hpp"
#include "server/net/proxy_protocol.hpp"
#include "server/net/tls_front.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <optional>

namespace plugrpc {
namespace asio = boost::asio;

namespace {

class ProxyFront : public Session, public std::enable_shared_from_this<ProxyFront> {
public:
    ProxyFront(Socket socket, ServeContext& ctx, bool tls)
        : socket_(std::move(socket)), ctx_(ctx), tls_(tls), wait_(socket_.get_executor(), ctx.counters),
          gauge_(std::in_place, ctx.connections) {
        boost::system::error_code ec;
        remote_ = socket_.remote_endpoint(ec);
        peer_ = ec ? std::string("peer") : endpoint_url(remote_);
    }
    ~ProxyFront() override { ctx_.sessions.remove(this); }

    void start() {
        ctx_.sessions.add(shared_from_this());
        auto settings = ctx_.settings.load();
        trusted_ = false;
        if (auto ip = ip_endpoint(remote_))
            for (const auto& c : settings->proxy_trusted)
                if (c.contains(ip->address())) trusted_ = true;
        wait_.start(settings->limits.header_timeout, peer_, trusted_ ? "no whole PROXY v2 header" : "nothing",
                    give_up());
        if (ctx_.draining.load()) drain();
        if (trusted_) read_fixed();
        else peek();
    }

    // Nothing of the client's has been read yet: it has a moment to send.
    void drain() override {
        if (!done_) wait_.stop_began(give_up());
    }
    asio::any_io_executor executor() override { return socket_.get_executor(); }

private:
    // For wait_: close the connection unless it was handed over or closed.
    FirstBytesWait::GiveUp give_up() {
        return [self = shared_from_this()] {
            if (self->done_) return false;
            self->close();
            return true;
        };
    }

    // A trusted proxy: exactly the fixed part, then exactly its length more,
    // so not one byte of the client's (or of its TLS handshake) is taken.
    void read_fixed() {
        asio::async_read(socket_, asio::buffer(fixed_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (self->done_) return;
            std::string_view got(self->fixed_.data(), n);
            if (ec) {
                if (n > 0) self->refuse(ProxyRefusal::Missing, "the connection closed inside the PROXY v2 header");
                return self->close();
            }
            std::string why = proxy::check_fixed(got);
            if (!why.empty()) {
                bool none = proxy::looks_like_header(got) == proxy::Looks::No;
                return self->refuse(none ? ProxyRefusal::Missing : ProxyRefusal::Malformed,
                                    none ? "a trusted peer's connection does not start with a PROXY v2 header" : why);
            }
            self->payload_.resize(proxy::payload_length(got));
            if (self->payload_.empty()) return self->judge();
            asio::async_read(self->socket_, asio::buffer(self->payload_), [self](boost::system::error_code ec, std::size_t) {
                if (self->done_) return;
                if (ec) {
                    self->refuse(ProxyRefusal::Malformed, "the connection closed inside the PROXY v2 header");
                    return self->close();
                }
                self->judge();
            });
        });
    }

    void judge() {
        std::string why;
        auto h = proxy::parse(std::string_view(fixed_.data(), fixed_.size()), payload_, why);
        if (!h) return refuse(ProxyRefusal::Malformed, why);
        PeerIdentity who;
        who.address = remote_;
        if (h->has_source) {
            who.address = h->source;
            who.proxied_by = peer_;
        }
        hand_over(who);
    }

    // Anyone else: served as itself, unless it sends a PROXY header. The
    // first bytes are looked at, not taken.
    void peek() {
        socket_.async_receive(asio::buffer(peek_), Socket::message_peek,
                              [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                  if (self->done_) return;
                                  if (ec || n == 0) return self->close(); // gone before a byte
                                  switch (proxy::looks_like_header(std::string_view(self->peek_.data(), n))) {
                                  case proxy::Looks::No: {
                                      PeerIdentity who;
                                      who.address = self->remote_;
                                      return self->hand_over(who);
                                  }
                                  case proxy::Looks::Yes:
                                      return self->refuse(ProxyRefusal::Untrusted,
                                                          "a PROXY header from a peer not in [server] proxy_trusted");
                                  case proxy::Looks::Maybe: return self->peek_later();
                                  }
                              });
    }

    // The bytes so far begin like a header and the rest has not come: look
    // again shortly (a peek of the same bytes would return at once).
    void peek_later() {
        backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(100));
        auto t = std::make_shared<asio::steady_timer>(socket_.get_executor(), backoff_);
        t->async_wait([self = shared_from_this(), t](boost::system::error_code ec) {
            if (!ec && !self->done_) self->peek();
        });
    }

    void refuse(ProxyRefusal r, const std::string& why) {
        spdlog::info("{}: PROXY protocol: {}; closing", peer_, why);
        ctx_.counters.proxy(r);
        close();
    }

    void hand_over(const PeerIdentity& who) {
        done_ = true;
        wait_.cancel();
        gauge_.reset(); // counted again by whoever serves it
        if (tls_) serve_tls_connection(std::move(socket_), ctx_, &who);
        else serve_connection(std::move(socket_), ctx_, &who);
    }

    void close() {
        if (done_) return;
        done_ = true;
        wait_.cancel();
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    Socket socket_;
    ServeContext& ctx_;
    bool tls_;
    bool trusted_ = false;
    bool done_ = false;
    FirstBytesWait wait_;
    std::optional<ProtocolGauge> gauge_;
    asio::generic::stream_protocol::endpoint remote_;
    std::string peer_;
    std::array<char, proxy::kFixedBytes> fixed_{};
    std::string payload_;
    std::array<char, proxy::kFixedBytes> peek_{};
    std::chrono::milliseconds backoff_{2};
};

} // namespace

void serve_proxy_connection(Socket socket, ServeContext& ctx, bool tls) {
    std::make_shared<ProxyFront>(std::move(socket), ctx, tls)->start();
}

} // namespace plugrpc
