// The server: network threads (one io_context each), listeners, and the
// signals that stop it.
#pragma once

#include "config/config.hpp"
#include "net/context.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace plugrpc {

class Listener;

class Server {
public:
    Server(const Config& config, Dispatcher& dispatcher);
    ~Server();

    // Bind every listen address; false with a message naming the address.
    bool listen(std::string& error);

    // Serve until SIGTERM or SIGINT, then stop gracefully. Returns the exit code.
    int run();

private:
    void stop_accepting();
    void drain_and_stop();
    boost::asio::io_context& next_context();

    Config config_;
    ServeContext ctx_;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<std::shared_ptr<Listener>> listeners_;
    std::size_t next_ = 0;
};

} // namespace plugrpc
