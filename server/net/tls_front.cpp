#include "server/net/tls_front.hpp"

#include "server/net/endpoint.hpp"
#include "server/net/first_bytes_wait.hpp"

#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <optional>

namespace plugrpc {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

// Mutual TLS: ask for a client certificate, verify it against client_ca,
// and name those CAs to the client (Go's client picks its certificate by
// them).
bool load_client_ca(ssl::context& ctx, const ServerOptions& config, std::string& error) {
    using Auth = ServerOptions::ClientAuth;
    if (config.tls_client_auth == Auth::None) return true;
    const std::string ca = config.tls_client_ca.string();
    if (ca.empty()) {
        error = "[tls] client_auth needs [tls] client_ca, the CA certificates client certificates are verified against";
        return false;
    }
    boost::system::error_code ec;
    ctx.load_verify_file(ca, ec);
    if (ec) {
        error = ca + ": [tls] client_ca: cannot load PEM CA certificates: " + ec.message();
        return false;
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str());
    if (!names) {
        error = ca + ": [tls] client_ca: no CA certificate in the file";
        return false;
    }
    SSL_CTX_set_client_CA_list(ctx.native_handle(), names);
    ctx.set_verify_mode(config.tls_client_auth == Auth::Require ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                                                                : ssl::verify_peer);
    // Sessions resumed with client verification need a context id.
    static const unsigned char kSessionContext[] = "plugrpcd";
    SSL_CTX_set_session_id_context(ctx.native_handle(), kSessionContext, sizeof kSessionContext - 1);
    return true;
}

// The verified client certificate's subject, RFC 2253 ("CN=alice,O=ops");
// "" without one.
std::string client_subject(SSL* ssl) {
    X509* cert = SSL_get_peer_certificate(ssl);
    if (!cert) return {};
    std::string out;
    if (SSL_get_verify_result(ssl) == X509_V_OK) {
        BIO* bio = BIO_new(BIO_s_mem());
        if (bio && X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
            char* data = nullptr;
            long n = BIO_get_mem_data(bio, &data);
            if (n > 0) out.assign(data, static_cast<std::size_t>(n));
        }
        BIO_free(bio);
    }
    X509_free(cert);
    return out;
}

} // namespace

TlsContextPtr load_tls_context(const ServerOptions& config, std::string& error) {
    const ListenAddress* tls_listener = nullptr;
    for (const auto& l : config.listen)
        if (l.kind == ListenAddress::Kind::Tls) tls_listener = &l;
    if (config.tls_cert_file.empty()) {
        if (tls_listener) error = tls_listener->text + ": a tls:// listener needs [tls] cert_file and key_file";
        return nullptr;
    }
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(config.tls_cert_file.string(), ec);
    if (ec) {
        error = config.tls_cert_file.string() + ": [tls] cert_file: cannot load a PEM certificate chain: " + ec.message();
        return nullptr;
    }
    ctx->use_private_key_file(config.tls_key_file.string(), ssl::context::pem, ec);
    if (ec) {
        error = config.tls_key_file.string() + ": [tls] key_file: cannot load a PEM private key: " + ec.message();
        return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        error = config.tls_key_file.string() + ": [tls] key_file: the key does not match the certificate in " +
                config.tls_cert_file.string();
        return nullptr;
    }
    if (!load_client_ca(*ctx, config, error)) return nullptr;
    return ctx;
}

namespace {

// One TLS connection: the handshake, then two pumps (client -> session,
// session -> client) between the TLS stream and our end of the socket pair.
class TlsFront : public Session, public std::enable_shared_from_this<TlsFront> {
public:
    TlsFront(Socket socket, ServeContext& ctx, TlsContextPtr tls, const PeerIdentity* who)
        : ctx_(ctx), tls_ctx_(std::move(tls)), tls_(std::move(socket), *tls_ctx_), inner_(tls_.get_executor()),
          timer_(tls_.get_executor()), wait_(tls_.get_executor(), ctx.counters), gauge_(std::in_place, ctx.connections) {
        boost::system::error_code ec;
        if (who) who_ = *who;
        else who_.address = tls_.next_layer().remote_endpoint(ec);
        who_.tls = true;
        peer_ = ec ? "peer" : endpoint_url(who_.address) + " (tls)";
        if (!who_.proxied_by.empty()) peer_ += " (via " + who_.proxied_by + ")";
    }
    ~TlsFront() override { ctx_.sessions.remove(this); }

    void start() {
        ctx_.sessions.add(shared_from_this());
        wait_.start(ctx_.settings.load()->limits.header_timeout, peer_, "no TLS handshake", give_up());
        if (ctx_.draining.load()) drain();
        tls_.async_handshake(ssl::stream_base::server,
                             [self = shared_from_this()](boost::system::error_code ec) { self->on_handshake(ec); });
    }

    void drain() override {
        // Before the handshake nothing of the client's has been read: it
        // has a moment to finish it and send. After it, the session behind
        // the pair drains, and its close ends this one.
        if (!handshaken_ && !closed_) wait_.stop_began(give_up());
    }
    asio::any_io_executor executor() override { return tls_.get_executor(); }

private:
    // For wait_: close the connection unless its handshake is done.
    FirstBytesWait::GiveUp give_up() {
        return [self = shared_from_this()] {
            if (self->handshaken_ || self->closed_) return false;
            self->close();
            return true;
        };
    }

    void on_handshake(boost::system::error_code ec) {
        wait_.cancel();
        if (ec || closed_) {
            if (ec) spdlog::debug("{}: TLS handshake: {}", peer_, ec.message());
            return close();
        }
        handshaken_ = true;
        who_.subject = client_subject(tls_.native_handle());
        asio::local::stream_protocol::socket ours(tls_.get_executor()), theirs(tls_.get_executor());
        asio::local::connect_pair(ours, theirs, ec);
        if (ec) {
            spdlog::warn("{}: cannot make a socket pair for TLS: {}", peer_, ec.message());
            return close();
        }
        inner_.assign(asio::generic::stream_protocol(AF_UNIX, 0), ours.release(), ec);
        Socket session_end(tls_.get_executor());
        if (!ec) session_end.assign(asio::generic::stream_protocol(AF_UNIX, 0), theirs.release(), ec);
        if (ec) return close();
        serve_connection(std::move(session_end), ctx_, &who_);
        gauge_.reset(); // the connection now counts under its protocol
        pump_in();
        pump_out();
    }

    // TLS client -> session.
    void pump_in() {
        tls_.async_read_some(asio::buffer(in_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (ec) {
                // The client is done sending (or gone): the session sees EOF,
                // answers what it has, and closes its end.
                boost::system::error_code ignored;
                self->inner_.shutdown(Socket::shutdown_send, ignored);
                return;
            }
            asio::async_write(self->inner_, asio::buffer(self->in_, n),
                              [self](boost::system::error_code ec, std::size_t) {
                                  if (!ec) self->pump_in();
                              });
        });
    }

    // Session -> TLS client.
    void pump_out() {
        inner_.async_read_some(asio::buffer(out_), [self = shared_from_this()](boost::system::error_code ec,
                                                                              std::size_t n) {
            if (ec) return self->finish(); // the session closed its end
            asio::async_write(self->tls_, asio::buffer(self->out_, n),
                              [self](boost::system::error_code ec, std::size_t) {
                                  if (ec) return self->close();
                                  self->pump_out();
                              });
        });
    }

    // Say close_notify, then close; a client that never answers it gets a
    // second to do so.
    void finish() {
        if (closed_) return;
        boost::system::error_code ignored;
        tls_.next_layer().cancel(ignored); // ends a pending pump_in read
        timer_.expires_after(std::chrono::seconds(1));
        timer_.async_wait([self = shared_from_this()](boost::system::error_code) { self->close(); });
        tls_.async_shutdown([self = shared_from_this()](boost::system::error_code) { self->close(); });
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        timer_.cancel();
        wait_.cancel();
        boost::system::error_code ignored;
        tls_.next_layer().close(ignored);
        inner_.close(ignored);
    }

    ServeContext& ctx_;
    TlsContextPtr tls_ctx_;
    ssl::stream<Socket> tls_;
    Socket inner_;
    asio::steady_timer timer_; // close_notify's second
    FirstBytesWait wait_;
    std::optional<ProtocolGauge> gauge_; // counted as sniffing until handed over
    PeerIdentity who_;
    std::string peer_;
    std::array<char, 16 * 1024> in_;
    std::array<char, 16 * 1024> out_;
    bool handshaken_ = false;
    bool closed_ = false;
};

} // namespace

void serve_tls_connection(Socket socket, ServeContext& ctx, const PeerIdentity* who) {
    TlsContextPtr tls = ctx.tls.load();
    if (!tls) return; // the listener refuses to start without one
    std::make_shared<TlsFront>(std::move(socket), ctx, std::move(tls), who)->start();
}

} // namespace plugrpc
