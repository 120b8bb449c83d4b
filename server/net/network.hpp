// The network: threads (one io_context each), listeners and the sessions
// they accept. plugrpc::Server (server.hpp) drives it.
#pragma once

#include <plugrpc/server_options.hpp>
#include "server/net/context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace plugrpc {

class Listener;
class AgentCheck;

class Network {
public:
    Network(const ServerOptions& config, Dispatcher& dispatcher);
    ~Network();

    // The first network thread's context: signals, timers and the plugin
    // watch run there.
    boost::asio::io_context& control() { return *contexts_[0]; }

    // Bind one address; served from run() on (at once if running). Returns
    // the listener's name with its real port, or "" with a message naming
    // the address.
    std::string listen(const ListenAddress& addr, std::string& error);
    // Serve on a listening socket bound by someone else; it is owned from
    // here. `origin` ("from systemd") is said in the listener's name.
    std::string adopt(int listening_fd, std::string_view origin, std::string& error);
    // Serve one connected socket (owned from here).
    void serve_socket(int fd);
    std::size_t listener_count() const;
    // Answer HAProxy's agent check on `address` (net/agent_check.hpp).
    // Returns where, with the real port, or "" with a message naming it.
    std::string listen_agent_check(const std::string& address, std::string& error);

    // New connections get the settings of `config` (rpc_path, limits, ...).
    void apply(const ServerOptions& config);

    // Load [tls] cert_file and key_file for tls:// listeners; new TLS
    // connections use them. False with a message naming the file, and the
    // certificate in use (if any) stays.
    bool load_tls(const ServerOptions& config, std::string& error);

    // Run the network threads until stop() completes. Returns the exit code.
    int run();

    // A stop is coming: /readyz fails from now on (and the agent check says
    // "drain"), while everything is served as before. Any thread;
    // async-signal-safe.
    void announce_drain();

    // Stop accepting, let every session answer what it has received, then
    // stop the threads; after `drain_timeout` the calls still running are
    // logged by name and abandoned.
    void stop(std::chrono::milliseconds drain_timeout);

    // Client connections open now, each once whatever its phase. (Not the
    // session set: a TLS connection is two sessions there, its TLS front and
    // the session it feeds.)
    std::size_t open_connections() const { return ctx_.connections.total(); }
    ServeContext& context() { return ctx_; }

private:
    boost::asio::io_context& next_context();
    void sample_stats(std::chrono::steady_clock::time_point last);

    ServeContext ctx_;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::string add(std::shared_ptr<Listener> l);

    mutable std::mutex listeners_mu_;
    std::vector<std::shared_ptr<Listener>> listeners_;
    bool running_ = false; // under listeners_mu_
    std::atomic<std::size_t> next_{0}; // round robin over contexts_, from any thread
    std::chrono::microseconds batch_wait_{0};
    std::unique_ptr<boost::asio::steady_timer> sample_timer_; // on control(), from run()
    std::unique_ptr<AgentCheck> agent_check_; // under listeners_mu_; destroyed before contexts_
};

} // namespace plugrpc
