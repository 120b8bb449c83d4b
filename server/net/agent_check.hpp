// HAProxy's agent check: HAProxy connects to the agent port (`server ...
// agent-check agent-port 1235`), reads one line and closes. The line is
//
//   "up ready N%\n"  ready (net/health.hpp); N, the weight HAProxy gives
//                    this server, falls from 100% as calls fill
//                    max_inflight: 100 - 100 * in flight / max_inflight,
//                    at least 1%
//   "drain\n"        stopping (drain_delay included): no new connections,
//                    those open go on
//   "down\n"         not ready otherwise (starting, a required service not
//                    served) or a network loop stuck
//
// Nothing is read from the peer; one short write, then close. The port
// answers on the control thread until the server stops.
#pragma once

#include "server/net/context.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

namespace plugrpc {

// The line for the server's state now.
std::string agent_check_line(const ServeContext& ctx);

class AgentCheck {
public:
    // Bind `address` ("tcp://127.0.0.1:1235"); null with `error` naming it.
    static std::unique_ptr<AgentCheck> open(boost::asio::io_context& ioc, const std::string& address,
                                            const ServeContext& ctx, std::string& error);
    ~AgentCheck();
    // Where it listens, with the real port.
    const std::string& name() const { return name_; }
    void start();

private:
    struct Impl;
    explicit AgentCheck(std::shared_ptr<Impl> impl, std::string name)
        : impl_(std::move(impl)), name_(std::move(name)) {}
    std::shared_ptr<Impl> impl_;
    std::string name_;
};

} // namespace plugrpc
