#include "server/net/listener.hpp"

#include "server/net/endpoint.hpp"
#include "server/net/proxy_front.hpp"
#include "server/net/tls_front.hpp"

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace plugrpc {
namespace asio = boost::asio;
using generic = asio::generic::stream_protocol;


namespace {

// A socket bound elsewhere (systemd's ListenStream=) is a proxy_protocol
// listener when an entry names its address and port; a wildcard entry
// (0.0.0.0, ::) matches a wildcard socket of either family, as
// ListenStream=1234 binds [::]:1234.
bool wants_proxy_protocol(const asio::ip::tcp::endpoint& local, const std::vector<ListenAddress>& entries) {
    for (const auto& e : entries) {
        if (e.kind != ListenAddress::Kind::Tcp || e.port != local.port()) continue;
        boost::system::error_code ec;
        auto host = asio::ip::make_address(e.host, ec);
        if (ec) continue;
        if (host == local.address() || (host.is_unspecified() && local.address().is_unspecified())) return true;
    }
    return false;
}

} // namespace

struct Listener::Impl {
    explicit Impl(asio::io_context& ioc) : acceptor(ioc) {}
    asio::basic_socket_acceptor<generic> acceptor;
    bool tcp = true;
    bool tls = false;
    bool proxy = false; // connections may start with a PROXY v2 header

    // Hand an accepted connection to what serves it first.
    static void serve(Socket socket, ServeContext& ctx, bool tls, bool proxy) {
        if (proxy) serve_proxy_connection(std::move(socket), ctx, tls);
        else if (tls) serve_tls_connection(std::move(socket), ctx);
        else serve_connection(std::move(socket), ctx);
    }
};

Listener::Listener(asio::io_context& ioc, ServeContext& ctx, PickContext pick)
    : impl_(std::make_shared<Impl>(ioc)), ctx_(ctx), pick_(std::move(pick)) {}

std::shared_ptr<Listener> Listener::open(asio::io_context& ioc, const ListenAddress& addr, ServeContext& ctx,
                                         PickContext pick, std::string& error) {
    std::shared_ptr<Listener> l(new Listener(ioc, ctx, std::move(pick)));
    boost::system::error_code ec;
    auto& acc = l->impl_->acceptor;
    if (addr.kind != ListenAddress::Kind::Unix) {
        auto ip = asio::ip::make_address(addr.host, ec);
        if (ec) {
            error = addr.text + ": \"" + addr.host + "\" is not an IP address";
            return nullptr;
        }
        asio::ip::tcp::endpoint ep(ip, addr.port);
        generic::endpoint gep(ep);
        acc.open(gep.protocol(), ec);
        if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acc.bind(gep, ec);
        if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            error = addr.text + ": " + ec.message();
            return nullptr;
        }
        l->name_ = endpoint_url(acc.local_endpoint(ec));
        if (addr.kind == ListenAddress::Kind::Tls) {
            l->impl_->tls = true;
            l->name_.replace(0, 3, "tls"); // tcp://... -> tls://...
        }
        if (addr.proxy_protocol) {
            l->impl_->proxy = true;
            l->name_ += " (PROXY protocol)";
        }
    } else {
        // A socket file left by an earlier run is removed; anything else is not touched.
        struct stat st{};
        if (::lstat(addr.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(addr.path.c_str());
        generic::endpoint gep(asio::local::stream_protocol::endpoint(addr.path));
        l->impl_->tcp = false;
        acc.open(gep.protocol(), ec);
        if (!ec) acc.bind(gep, ec);
        if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            error = addr.text + ": " + ec.message();
            return nullptr;
        }
        l->unix_path_ = addr.path;
        l->name_ = "unix://" + addr.path;
    }
    return l;
}


std::shared_ptr<Listener> Listener::adopt(asio::io_context& ioc, int fd, std::string_view origin, ServeContext& ctx,
                                          PickContext pick, std::string& error) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int type = 0;
    socklen_t tlen = sizeof type;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0 ||
        ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 || type != SOCK_STREAM) {
        error = "passed fd " + std::to_string(fd) + " is not a stream socket";
        return nullptr;
    }
    std::shared_ptr<Listener> l(new Listener(ioc, ctx, std::move(pick)));
    int family = ss.ss_family;
    l->impl_->tcp = family == AF_INET || family == AF_INET6;
    boost::system::error_code ec;
    l->impl_->acceptor.assign(generic(family, l->impl_->tcp ? IPPROTO_TCP : 0), fd, ec);
    if (ec) {
        error = "passed fd " + std::to_string(fd) + ": " + ec.message();
        return nullptr;
    }
    auto local = l->impl_->acceptor.local_endpoint(ec);
    l->name_ = endpoint_url(local) + " (fd " + std::to_string(fd) + " " + std::string(origin) + ")";
    if (auto ip = ip_endpoint(local); ip && wants_proxy_protocol(*ip, ctx.settings.load()->proxy_listeners)) {
        l->impl_->proxy = true;
        l->name_ += " (PROXY protocol)";
    }
    return l;
}

void Listener::start() { accept(); }

void Listener::accept() {
    auto self = shared_from_this();
    impl_->acceptor.async_accept(pick_(), [self](boost::system::error_code ec, Socket socket) {
        if (ec == asio::error::operation_aborted || !self->impl_->acceptor.is_open()) return;
        if (ec) {
            // Out of descriptors and the like: log, pause, and keep accepting
            // (an immediate retry would spin on the same error).
            spdlog::warn("{}: accept: {}", self->name_, ec.message());
            auto timer = std::make_shared<asio::steady_timer>(self->impl_->acceptor.get_executor());
            timer->expires_after(std::chrono::milliseconds(100));
            timer->async_wait([self, timer](boost::system::error_code) { self->accept(); });
            return;
        }
        if (self->ctx_.connections.total() >= self->ctx_.settings.load()->limits.max_connections) {
            // Over max_connections: refuse at once rather than queue.
            self->ctx_.counters.limit(LimitKind::Connections);
            spdlog::debug("{}: max_connections reached; refusing a connection", self->name_);
            boost::system::error_code ignored;
            socket.close(ignored);
        } else {
            if (self->impl_->tcp) {
                boost::system::error_code ignored;
                socket.set_option(asio::ip::tcp::no_delay(true), ignored);
            }
            auto& ctx = self->ctx_;
            auto exec = socket.get_executor();
            asio::post(exec, [&ctx, tls = self->impl_->tls, proxy = self->impl_->proxy,
                              s = std::make_shared<Socket>(std::move(socket))]() mutable {
                Impl::serve(std::move(*s), ctx, tls, proxy);
            });
        }
        self->accept();
    });
}

void Listener::close() {
    auto self = shared_from_this();
    asio::post(impl_->acceptor.get_executor(), [self] {
        // Connections the kernel has completed and nobody accepted yet would
        // be reset by the close, with what they sent unanswered: take them
        // first. The daemon is draining, so each answers what has arrived
        // and closes.
        auto& acc = self->impl_->acceptor;
        boost::system::error_code ec;
        acc.non_blocking(true, ec);
        for (int taken = 0; !ec && taken < 4096; ++taken) {
            Socket socket(self->pick_());
            acc.accept(socket, ec);
            if (ec) break;
            auto& ctx = self->ctx_;
            asio::post(socket.get_executor(), [&ctx, tls = self->impl_->tls, proxy = self->impl_->proxy,
                                               s = std::make_shared<Socket>(std::move(socket))]() mutable {
                Impl::serve(std::move(*s), ctx, tls, proxy);
            });
        }
        boost::system::error_code ignored;
        acc.close(ignored);
    });
    if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

} // namespace plugrpc
