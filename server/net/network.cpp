#include "server/net/network.hpp"

#include "server/net/agent_check.hpp"
#include "server/net/io_loop.hpp"
#include "server/net/listener.hpp"
#include "server/net/tls_front.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace plugrpc {
namespace asio = boost::asio;

Network::Network(const ServerOptions& config, Dispatcher& dispatcher) : ctx_(dispatcher) {
    apply(config);
    for (unsigned i = 0; i < config.io_threads(); ++i) contexts_.push_back(std::make_unique<asio::io_context>(1));
    batch_wait_ = config.batch_wait;
}

// The pulse's timer lives in ctx_, which outlives contexts_: drop it first.
Network::~Network() {
    ctx_.pulse.stop();
    ctx_.admin.stop(); // before the loops its jobs answer on are gone
}

void Network::apply(const ServerOptions& config) {
    auto settings = std::make_shared<Settings>();
    settings->rpc_path = config.rpc_path;
    settings->debug_path = config.debug_path;
    settings->limits = config.limits;
    settings->admin_allow = config.admin_allow;
    ctx_.gob_types.set_limit(config.limits.max_gob_type_bytes);
    settings->required_services = config.required_services;
    if (!config.access.empty()) settings->access = std::make_shared<const AccessRules>(config.access);
    settings->proxy_trusted = config.proxy_trusted;
    settings->proxy_listeners = config.proxy_protocol;
    settings->jsonrpc_default_service = config.jsonrpc_default_service;
    ctx_.settings.store(std::move(settings));
}

bool Network::load_tls(const ServerOptions& config, std::string& error) {
    TlsContextPtr tls = load_tls_context(config, error);
    if (!error.empty()) return false;
    ctx_.tls.store(std::move(tls));
    return true;
}

asio::io_context& Network::next_context() {
    return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

std::string Network::add(std::shared_ptr<Listener> l) {
    std::lock_guard lock(listeners_mu_);
    if (running_) {
        l->start();
        spdlog::info("listening on {}", l->name());
    }
    listeners_.push_back(l);
    auto names = std::make_shared<std::vector<std::string>>();
    for (const auto& each : listeners_) names->push_back(each->name());
    ctx_.listeners.store(std::move(names));
    return l->name();
}

std::string Network::listen(const ListenAddress& addr, std::string& error) {
    auto l = Listener::open(control(), addr, ctx_, [this]() -> asio::io_context& { return next_context(); }, error);
    return l ? add(std::move(l)) : std::string();
}

std::string Network::adopt(int fd, std::string_view origin, std::string& error) {
    auto l = Listener::adopt(control(), fd, origin, ctx_, [this]() -> asio::io_context& { return next_context(); }, error);
    return l ? add(std::move(l)) : std::string();
}

void Network::serve_socket(int fd) {
    asio::io_context& ioc = next_context();
    asio::post(ioc, [this, &ioc, fd] {
        boost::system::error_code ec;
        Socket socket(ioc);
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
            spdlog::warn("serve_conn: fd {} is not a socket: {}", fd, std::strerror(errno));
            ::close(fd);
            return;
        }
        socket.assign(asio::generic::stream_protocol(ss.ss_family, ss.ss_family == AF_UNIX ? 0 : IPPROTO_TCP), fd, ec);
        if (ec) {
            spdlog::warn("serve_conn: fd {}: {}", fd, ec.message());
            ::close(fd);
            return;
        }
        if (ctx_.draining.load()) return; // stopping: the socket closes here
        serve_connection(std::move(socket), ctx_);
    });
}

std::string Network::listen_agent_check(const std::string& address, std::string& error) {
    auto agent = AgentCheck::open(control(), address, ctx_, error);
    if (!agent) return {};
    std::string name = agent->name();
    std::lock_guard lock(listeners_mu_);
    if (agent_check_) {
        error = "agent check " + address + ": one agent check port is served already (" + agent_check_->name() + ")";
        return {};
    }
    if (running_) {
        agent->start();
        spdlog::info("answering HAProxy's agent check on {}", name);
    }
    agent_check_ = std::move(agent);
    return name;
}

std::size_t Network::listener_count() const {
    std::lock_guard lock(listeners_mu_);
    return listeners_.size();
}

void Network::announce_drain() { ctx_.drain_announced.store(true); }

void Network::stop(std::chrono::milliseconds drain_timeout) {
    ctx_.drain_announced.store(true);
    ctx_.draining.store(true);
    {
        std::lock_guard lock(listeners_mu_);
        for (auto& l : listeners_) l->close();
    }
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

int Network::run() {
    {
        std::lock_guard lock(listeners_mu_);
        running_ = true;
        for (auto& l : listeners_) {
            l->start();
            spdlog::info("listening on {}", l->name());
        }
        if (agent_check_) {
            agent_check_->start();
            spdlog::info("answering HAProxy's agent check on {}", agent_check_->name());
        }
    }
    std::vector<asio::io_context*> loops;
    for (auto& c : contexts_) loops.push_back(c.get());
    ctx_.pulse.start(std::move(loops));
    ctx_.serving.store(true);
    sample_timer_ = std::make_unique<asio::steady_timer>(control());
    sample_stats(std::chrono::steady_clock::now());
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

// Once a second on the control thread, until the server stops: the steps
// of the debug page's history (registry/stats_history.hpp).
void Network::sample_stats(std::chrono::steady_clock::time_point last) {
    sample_timer_->expires_at(last + std::chrono::seconds(1));
    sample_timer_->async_wait([this](boost::system::error_code ec) {
        if (ec || ctx_.draining.load()) return;
        ctx_.history.sample(*ctx_.dispatcher.registry());
        auto now = std::chrono::steady_clock::now();
        auto due = sample_timer_->expiry();
        // Late by more than a step (a stalled thread): start again from now.
        sample_stats(now - due > std::chrono::seconds(1) ? now : due);
    });
}

} // namespace plugrpc
