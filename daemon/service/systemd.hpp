// systemd integration: readiness and status notifications, the watchdog,
// and sockets passed by socket activation. Everything is a no-op when the
// daemon does not run under systemd (no NOTIFY_SOCKET, no LISTEN_FDS).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <string>
#include <vector>

namespace plugrpc {

class Systemd {
public:
    explicit Systemd(boost::asio::io_context& ioc);

    void ready(const std::string& status);
    // RELOADING=1 with MONOTONIC_USEC, in one message.
    void reloading();
    void stopping();
    void status(const std::string& status);

    // Send WATCHDOG=1 at half the interval systemd asked for, from the
    // network thread it runs on, while `stuck` (the loop pulse that /livez
    // reads, net/loop_pulse.hpp) names no stuck network thread: a stuck
    // thread, this one or another, stops the pings.
    void start_watchdog(std::function<std::string()> stuck);

    // File descriptors passed by socket activation (LISTEN_FDS for our pid).
    static std::vector<int> listen_fds();

private:
    void notify(const std::string& message);
    void ping();

    boost::asio::steady_timer watchdog_;
    std::chrono::microseconds watchdog_interval_{0};
    std::function<std::string()> stuck_;
    bool reported_stuck_ = false;
};

} // namespace plugrpc
