#include "net/server.hpp"

#include "net/listener.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

namespace plugrpc {
namespace asio = boost::asio;

Server::Server(const Config& config, Dispatcher& dispatcher) : config_(config), ctx_(dispatcher) {
    auto settings = std::make_shared<Settings>();
    settings->rpc_path = config.rpc_path;
    settings->debug_path = config.debug_path;
    settings->limits = config.limits;
    ctx_.settings.store(std::move(settings));
    for (unsigned i = 0; i < config.io_threads(); ++i) contexts_.push_back(std::make_unique<asio::io_context>(1));
}

Server::~Server() = default;

asio::io_context& Server::next_context() {
    asio::io_context& ioc = *contexts_[next_];
    next_ = (next_ + 1) % contexts_.size();
    return ioc;
}

bool Server::listen(std::string& error) {
    if (config_.listen.empty()) {
        error = "nothing to listen on: [server] listen is empty";
        return false;
    }
    for (const auto& addr : config_.listen) {
        auto l = Listener::open(*contexts_[0], addr, ctx_, [this]() -> asio::io_context& { return next_context(); },
                                error);
        if (!l) return false;
        listeners_.push_back(std::move(l));
    }
    return true;
}

void Server::stop_accepting() {
    for (auto& l : listeners_) l->close();
}

// Stop accepting, let the calls already received finish (bounded by
// drain_timeout), then stop the network threads.
void Server::drain_and_stop() {
    stop_accepting();
    auto deadline = std::chrono::steady_clock::now() + config_.drain_timeout;
    auto timer = std::make_shared<asio::steady_timer>(*contexts_[0]);
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [this, deadline, timer, poll] {
        std::size_t left = ctx_.dispatcher.inflight();
        if (left == 0 || std::chrono::steady_clock::now() >= deadline) {
            if (left) spdlog::warn("drain timeout: {} calls still running; stopping anyway", left);
            for (auto& c : contexts_) c->stop();
            *poll = nullptr; // break the cycle
            return;
        }
        timer->expires_after(std::chrono::milliseconds(10));
        timer->async_wait([poll](boost::system::error_code) {
            if (*poll) (*poll)();
        });
    };
    // Give sessions a moment to flush replies of calls that just finished.
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([poll](boost::system::error_code) { (*poll)(); });
}

int Server::run() {
    for (auto& l : listeners_) {
        l->start();
        spdlog::info("listening on {}", l->name());
    }
    asio::signal_set signals(*contexts_[0], SIGINT, SIGTERM);
    signals.async_wait([this](boost::system::error_code ec, int sig) {
        if (ec) return;
        spdlog::info("{}: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
        drain_and_stop();
    });
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts_.size(); ++i) {
        threads.emplace_back([this, i] {
            auto guard = asio::make_work_guard(*contexts_[i]);
            contexts_[i]->run();
        });
    }
    {
        auto guard = asio::make_work_guard(*contexts_[0]);
        contexts_[0]->run();
    }
    for (auto& t : threads) t.join();
    ctx_.dispatcher.join();
    spdlog::info("stopped");
    return 0;
}

} // namespace plugrpc
