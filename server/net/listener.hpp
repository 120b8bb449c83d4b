// One listening socket (TCP or unix) accepting connections onto the server's
// network threads.
#pragma once

#include <plugrpc/server_options.hpp>
#include "server/net/context.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace plugrpc {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    using PickContext = std::function<boost::asio::io_context&()>;

    // Bind and listen; null with `error` set on failure.
    static std::shared_ptr<Listener> open(boost::asio::io_context& ioc, const ListenAddress& addr, ServeContext& ctx,
                                          PickContext pick, std::string& error);

    // Serve on a socket someone else bound; `origin` ("from systemd") is
    // said in its name.
    static std::shared_ptr<Listener> adopt(boost::asio::io_context& ioc, int fd, std::string_view origin,
                                           ServeContext& ctx, PickContext pick, std::string& error);

    void start();
    void close();
    // Where it listens, with the real port: "tcp://127.0.0.1:40123".
    const std::string& name() const { return name_; }

private:
    Listener(boost::asio::io_context& ioc, ServeContext& ctx, PickContext pick);
    void accept();

    struct Impl;
    std::shared_ptr<Impl> impl_;
    ServeContext& ctx_;
    PickContext pick_;
    std::string name_;
    std::string unix_path_;
};

} // namespace plugrpc
