// The server: network threads (one io_context each), listeners, and the
// signals that stop it.
#pragma once

#include "server/net/options.hpp"
#include "server/net/context.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace plugrpc {

class Listener;

class Server {
public:
    Server(const ServerOptions& config, Dispatcher& dispatcher);
    ~Server();

    // The first network thread's context: signals, timers and the plugin
    // watch run there.
    boost::asio::io_context& control() { return *contexts_[0]; }

    // Serve on sockets passed by systemd if there are any, else bind every
    // listen address. False with a message naming the address.
    bool listen(const std::vector<int>& passed_fds, std::string& error);

    // New connections get the settings of `config` (rpc_path, limits, ...).
    void apply(const ServerOptions& config);

    // Load [tls] cert_file and key_file for tls:// listeners; new TLS
    // connections use them. False with a message naming the file, and the
    // certificate in use (if any) stays.
    bool load_tls(const ServerOptions& config, std::string& error);

    // Run the network threads until stop() completes. Returns the exit code.
    int run();

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

    ServeContext ctx_;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<ListenAddress> config_listen_;
    std::vector<std::shared_ptr<Listener>> listeners_;
    std::size_t next_ = 0;
    std::chrono::microseconds batch_wait_{0};
};

} // namespace plugrpc
