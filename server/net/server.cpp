#include "server/net/server.hpp"

#include "server/net/io_loop.hpp"
#include "server/net/listener.hpp"
#include "server/net/tls_front.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

namespace plugrpc {
namespace asio = boost::asio;

Server::Server(const ServerOptions& config, Dispatcher& dispatcher) : ctx_(dispatcher) {
    apply(config);
    for (unsigned i = 0; i < config.io_threads(); ++i) contexts_.push_back(std::make_unique<asio::io_context>(1));
    config_listen_ = config.listen;
    batch_wait_ = config.batch_wait;
}

Server::~Server() = default;

void Server::apply(const ServerOptions& config) {
    auto settings = std::make_shared<Settings>();
    settings->rpc_path = config.rpc_path;
    settings->debug_path = config.debug_path;
    settings->limits = config.limits;
    settings->admin_allow = config.admin_allow;
    ctx_.settings.store(std::move(settings));
}

bool Server::load_tls(const ServerOptions& config, std::string& error) {
    TlsContextPtr tls = load_tls_context(config, error);
    if (!error.empty()) return false;
    ctx_.tls.store(std::move(tls));
    return true;
}

asio::io_context& Server::next_context() {
    asio::io_context& ioc = *contexts_[next_];
    next_ = (next_ + 1) % contexts_.size();
    return ioc;
}

bool Server::listen(const std::vector<int>& passed_fds, std::string& error) {
    auto pick = [this]() -> asio::io_context& { return next_context(); };
    if (!passed_fds.empty()) {
        for (int fd : passed_fds) {
            auto l = Listener::adopt(control(), fd, ctx_, pick, error);
            if (!l) return false;
            listeners_.push_back(std::move(l));
        }
        return true;
    }
    if (config_listen_.empty()) {
        error = "nothing to listen on: [server] listen is empty";
        return false;
    }
    for (const auto& addr : config_listen_) {
        auto l = Listener::open(control(), addr, ctx_, pick, error);
        if (!l) return false;
        listeners_.push_back(std::move(l));
    }
    return true;
}

void Server::stop(std::chrono::milliseconds drain_timeout) {
    ctx_.draining.store(true);
    for (auto& l : listeners_) l->close();
    ctx_.sessions.drain_all();
    auto deadline = std::chrono::steady_clock::now() + drain_timeout;
    auto timer = std::make_shared<asio::steady_timer>(control());
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [this, deadline, timer, poll] {
        bool idle = ctx_.sessions.size() == 0 && ctx_.dispatcher.inflight() == 0;
        if (!idle && std::chrono::steady_clock::now() < deadline) {
            timer->expires_after(std::chrono::milliseconds(10));
            timer->async_wait([poll](boost::system::error_code) {
                if (*poll) (*poll)();
            });
            return;
        }
        if (!idle) {
            std::string names;
            for (const auto& [sname, svc] : ctx_.dispatcher.registry()->services())
                for (const auto& [mname, m] : svc.methods)
                    if (auto n = m->stats->inflight.load(); n > 0)
                        names += (names.empty() ? "" : ", ") + m->full_name + " x" + std::to_string(n);
            spdlog::warn("drain timeout: {} calls still running ({}), {} connections open; stopping anyway",
                         ctx_.dispatcher.inflight(), names.empty() ? "in plugins no longer served" : names,
                         ctx_.sessions.size());
        }
        for (auto& c : contexts_) c->stop();
        *poll = nullptr; // break the cycle
    };
    (*poll)();
}

int Server::run() {
    for (auto& l : listeners_) {
        l->start();
        spdlog::info("listening on {}", l->name());
    }
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts_.size(); ++i) {
        threads.emplace_back([this, i] {
            auto guard = asio::make_work_guard(*contexts_[i]);
            run_io_loop(*contexts_[i], batch_wait_);
        });
    }
    {
        auto guard = asio::make_work_guard(*contexts_[0]);
        run_io_loop(*contexts_[0], batch_wait_);
    }
    for (auto& t : threads) t.join();
    ctx_.dispatcher.join();
    return 0;
}

} // namespace plugrpc
