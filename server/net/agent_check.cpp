#include "server/net/agent_check.hpp"

#include "server/net/health.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace plugrpc {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string agent_check_line(const ServeContext& ctx) {
    if (ctx.drain_announced.load() || ctx.draining.load()) return "drain\n";
    if (!not_ready_reason(ctx).empty() || !not_live_reason(ctx).empty()) return "down\n";
    auto settings = ctx.settings.load();
    std::size_t max = settings ? settings->limits.max_inflight : 0;
    std::size_t busy = ctx.dispatcher.inflight();
    std::size_t weight = 100;
    if (max > 0) weight = busy >= max ? 1 : std::max<std::size_t>(1, 100 - busy * 100 / max);
    return "up ready " + std::to_string(weight) + "%\n";
}

struct AgentCheck::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::io_context& ioc, const ServeContext& c) : acceptor(ioc), ctx(c) {}
    tcp::acceptor acceptor;
    const ServeContext& ctx;

    void accept() {
        acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
            if (!ec) self->answer(std::move(socket));
            self->accept();
        });
    }

    void answer(tcp::socket socket) {
        auto s = std::make_shared<tcp::socket>(std::move(socket));
        auto line = std::make_shared<std::string>(agent_check_line(ctx));
        asio::async_write(*s, asio::buffer(*line), [s, line](boost::system::error_code, std::size_t) {
            boost::system::error_code ignored;
            s->shutdown(tcp::socket::shutdown_both, ignored);
            s->close(ignored);
        });
    }
};

std::unique_ptr<AgentCheck> AgentCheck::open(asio::io_context& ioc, const std::string& address,
                                             const ServeContext& ctx, std::string& error) {
    std::string why;
    auto addr = parse_listen_address(address, why);
    if (!addr || addr->kind != ListenAddress::Kind::Tcp) {
        error = "agent check \"" + address + "\": " + (addr ? "must be a tcp:// address" : why);
        return nullptr;
    }
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(addr->host, ec);
    if (ec) {
        error = "agent check " + addr->text + ": \"" + addr->host + "\" is not an IP address";
        return nullptr;
    }
    auto impl = std::make_shared<Impl>(ioc, ctx);
    tcp::endpoint ep(ip, addr->port);
    impl->acceptor.open(ep.protocol(), ec);
    if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl->acceptor.bind(ep, ec);
    if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        error = "agent check " + addr->text + ": " + ec.message();
        return nullptr;
    }
    auto local = impl->acceptor.local_endpoint(ec);
    std::string name = "tcp://" + (local.address().is_v6() ? "[" + local.address().to_string() + "]"
                                                           : local.address().to_string()) +
                       ":" + std::to_string(local.port());
    return std::unique_ptr<AgentCheck>(new AgentCheck(std::move(impl), std::move(name)));
}

void AgentCheck::start() { impl_->accept(); }

AgentCheck::~AgentCheck() {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
}

} // namespace plugrpc
