// plugrpc::Server: the engine behind Go's verbs. It owns the dispatcher and
// the network; services added or loaded here are published to the
// dispatcher as one registry snapshot each time the set changes.
#include <plugrpc/server.hpp>

#include "server/net/network.hpp"
#include "server/plugin/loaded_plugin.hpp"
#include "server/registry/registry.hpp"
#include "server/rpc/dispatcher.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <condition_variable>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>
#include <vector>

namespace plugrpc {
namespace asio = boost::asio;

struct Server::State {
    explicit State(ServerOptions o)
        : options(std::move(o)), dispatcher(options.blocking_threads, options.max_blocking_threads, options.blocking_timer_slack),
          network(options, dispatcher) {}

    ServerOptions options;
    Dispatcher dispatcher;
    Network network;

    std::mutex mu; // options' live part, plugins, serving
    std::condition_variable served;
    std::vector<std::shared_ptr<LoadedPlugin>> plugins; // added and loaded, in order
    enum class Phase { Idle, Serving, Done } phase = Phase::Idle;

    // stop() writes a byte here (async-signal-safe); the control thread reads it.
    int stop_pipe[2] = {-1, -1};
    std::unique_ptr<asio::posix::stream_descriptor> stop_reader;
    char stop_byte = 0;
    std::unique_ptr<asio::steady_timer> delay_timer; // drain_delay, on the control thread

    void drain(std::chrono::milliseconds drain_timeout) {
        spdlog::debug("stop: answering the calls already received, then returning from serve()");
        network.stop(drain_timeout);
    }

    // Publish every plugin as one snapshot; nothing changes on failure.
    void publish(std::vector<std::shared_ptr<LoadedPlugin>> next) {
        auto registry = std::make_shared<Registry>();
        for (const auto& p : next) {
            std::string error;
            if (!registry->add_plugin(p, error)) throw ServerError(error);
        }
        dispatcher.publish(std::move(registry));
        plugins = std::move(next);
    }

    void adopt_plugin(std::shared_ptr<LoadedPlugin> plugin) {
        std::lock_guard lock(mu);
        auto next = plugins;
        next.push_back(std::move(plugin));
        publish(std::move(next));
    }
};

Server::Server() : Server(ServerOptions{}) {}

Server::Server(ServerOptions options) : state_(std::make_unique<State>(std::move(options))) {
    State& s = *state_;
    s.dispatcher.set_max_inflight(s.options.limits.max_inflight);
    s.dispatcher.set_call_timeouts(s.options.limits.call_timeout, s.options.limits.call_timeouts);
    s.dispatcher.set_max_concurrency(s.options.limits.max_concurrency);
    s.dispatcher.publish(std::make_shared<Registry>());
    std::string error;
    if (!s.network.load_tls(s.options, error)) throw ServerError(error);
    if (::pipe2(s.stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        throw ServerError(std::string("pipe: ") + std::strerror(errno));
    s.stop_reader = std::make_unique<asio::posix::stream_descriptor>(s.network.control(), s.stop_pipe[0]);
    s.stop_reader->async_read_some(asio::buffer(&s.stop_byte, 1), [&s](boost::system::error_code ec, std::size_t) {
        if (ec) return;
        std::chrono::milliseconds delay, drain;
        {
            std::lock_guard lock(s.mu);
            delay = s.options.drain_delay;
            drain = s.options.drain_timeout;
        }
        s.network.announce_drain();
        if (delay.count() <= 0) return s.drain(drain);
        spdlog::info("stop: /readyz fails from now; serving on for drain_delay ({} ms) so that load balancers "
                     "see it first", delay.count());
        s.delay_timer = std::make_unique<asio::steady_timer>(s.network.control(), delay);
        s.delay_timer->async_wait([&s, drain](boost::system::error_code ec) {
            if (!ec) s.drain(drain);
        });
    });
}

Server::~Server() {
    State& s = *state_;
    {
        std::unique_lock lock(s.mu);
        if (s.phase == State::Phase::Serving) {
            lock.unlock();
            stop();
            lock.lock();
            s.served.wait(lock, [&] { return s.phase != State::Phase::Serving; });
        }
    }
    s.stop_reader.reset(); // closes stop_pipe[0]
    ::close(s.stop_pipe[1]);
}

void Server::add_services(const std::string& name, std::function<void(Plugin&)> body) {
    auto init = [&body](const plrpc_host_v1* host, plrpc_registrar* reg, char* err, std::size_t cap) -> int {
        auto fail = [&](std::string_view why) {
            std::size_t n = std::min(why.size(), cap - 1);
            std::memcpy(err, why.data(), n);
            err[n] = '\0';
            return int(PLRPC_ERROR);
        };
        try {
            auto plugin = std::make_unique<Plugin>(host, reg, boost::json::object{});
            body(*plugin);
            if (plugin->failed()) return fail("a method was refused");
            host->set_plugin_state(reg, plugin.release());
            return int(PLRPC_OK);
        } catch (const std::exception& e) {
            return fail(e.what());
        }
    };
    LoadResult r = embed_plugin(name, init, &detail::shutdown);
    if (!r.plugin) throw ServerError("add " + name + ": " + r.error);
    state_->adopt_plugin(std::move(r.plugin));
}

void Server::load_plugin(const std::filesystem::path& file, const boost::json::object& config) {
    LoadResult r = load_plugin_with(file, config);
    if (!r.plugin) throw ServerError(file.string() + ": " + r.error);
    spdlog::info("loaded plugin {} {} from {}", r.plugin->name, r.plugin->version, file.string());
    state_->adopt_plugin(std::move(r.plugin));
}

void Server::handle_http(std::string rpc_path, std::string debug_path) {
    ServerOptions next = options();
    next.rpc_path = std::move(rpc_path);
    next.debug_path = std::move(debug_path);
    set_options(next);
}

void Server::set_options(const ServerOptions& options) {
    for (const auto* path : {&options.rpc_path, &options.debug_path})
        if (path->empty() || path->front() != '/')
            throw ServerError("an HTTP path must start with '/': \"" + *path + "\"");
    State& s = *state_;
    std::lock_guard lock(s.mu);
    std::string error;
    if (!s.network.load_tls(options, error)) throw ServerError(error);
    unsigned threads = s.options.threads, blocking = s.options.blocking_threads,
             max_blocking = s.options.max_blocking_threads;
    auto timer_slack = s.options.blocking_timer_slack;
    auto listen = s.options.listen;
    s.options = options;
    s.options.threads = threads;
    s.options.blocking_threads = blocking;
    s.options.max_blocking_threads = max_blocking;
    s.options.blocking_timer_slack = timer_slack;
    s.options.listen = std::move(listen);
    s.network.apply(s.options);
    s.dispatcher.set_max_inflight(s.options.limits.max_inflight);
    s.dispatcher.set_call_timeouts(s.options.limits.call_timeout, s.options.limits.call_timeouts);
    s.dispatcher.set_max_concurrency(s.options.limits.max_concurrency);
}

const ServerOptions& Server::options() const { return state_->options; }

void Server::set_program_status(ProgramStatus status) {
    state_->network.context().program.store(std::make_shared<const ProgramStatus>(std::move(status)));
}

std::string Server::listen(std::string_view address) {
    std::string why;
    auto addr = parse_listen_address(std::string(address), why);
    if (!addr) throw ServerError(std::string(address) + ": " + why);
    State& s = *state_;
    std::lock_guard lock(s.mu);
    for (const auto& p : s.options.proxy_protocol)
        if (p.same_place(*addr)) addr->proxy_protocol = true;
    if (addr->kind == ListenAddress::Kind::Tls) {
        ServerOptions with = s.options;
        with.listen.push_back(*addr);
        if (!s.network.load_tls(with, why)) throw ServerError(why);
    }
    std::string name = s.network.listen(*addr, why);
    if (name.empty()) throw ServerError(why);
    s.options.listen.push_back(*addr);
    return name;
}

std::string Server::listen_agent_check(std::string_view address) {
    std::string error;
    std::string name = state_->network.listen_agent_check(std::string(address), error);
    if (name.empty()) throw ServerError(error);
    return name;
}

void Server::serve() {
    State& s = *state_;
    {
        std::lock_guard lock(s.mu);
        if (s.phase != State::Phase::Idle) throw ServerError("serve: this server is serving or has already stopped");
        if (s.network.listener_count() == 0 && s.network.open_connections() == 0)
            spdlog::warn("serving with no listener: only serve_conn() connections are served");
        s.phase = State::Phase::Serving;
    }
    s.network.run();
    std::lock_guard lock(s.mu);
    s.phase = State::Phase::Done;
    s.served.notify_all();
}

void Server::listen_and_serve(std::string_view address) {
    listen(address);
    serve();
}

void Server::accept(int listening_fd) {
    std::string error;
    if (state_->network.adopt(listening_fd, "passed in", error).empty()) throw ServerError(error);
    serve();
}

void Server::serve_conn(int connected_fd) { state_->network.serve_socket(connected_fd); }

void Server::begin_drain() { state_->network.announce_drain(); }

void Server::stop() {
    char byte = 's';
    // A full pipe means a stop is already on its way.
    [[maybe_unused]] ssize_t n = ::write(state_->stop_pipe[1], &byte, 1);
}

Network& Server::network() { return state_->network; }
Dispatcher& Server::dispatcher() { return state_->dispatcher; }

} // namespace plugrpc
