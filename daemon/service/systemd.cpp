#include "daemon/service/systemd.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <ctime>

namespace plugrpc {

Systemd::Systemd(boost::asio::io_context& ioc) : watchdog_(ioc) {}

void Systemd::notify(const std::string& message) {
    int rc = sd_notify(0, message.c_str());
    if (rc < 0) spdlog::warn("sd_notify: {}", std::strerror(-rc));
}

void Systemd::ready(const std::string& status) { notify("READY=1\nSTATUS=" + status); }

void Systemd::reloading() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    std::uint64_t usec = std::uint64_t(ts.tv_sec) * 1000000 + std::uint64_t(ts.tv_nsec) / 1000;
    notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void Systemd::stopping() { notify("STOPPING=1"); }

void Systemd::status(const std::string& status) { notify("STATUS=" + status); }

void Systemd::start_watchdog(std::function<std::string()> stuck) {
    stuck_ = std::move(stuck);
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
    watchdog_interval_ = std::chrono::microseconds(usec / 2);
    spdlog::info("systemd watchdog: pinging every {} ms", watchdog_interval_.count() / 1000);
    ping();
}

void Systemd::ping() {
    std::string why = stuck_ ? stuck_() : std::string();
    if (why.empty()) {
        notify("WATCHDOG=1");
        reported_stuck_ = false;
    } else if (!reported_stuck_) {
        spdlog::error("systemd watchdog: not pinging: {}", why);
        reported_stuck_ = true;
    }
    watchdog_.expires_after(watchdog_interval_);
    watchdog_.async_wait([this](boost::system::error_code ec) {
        if (!ec) ping();
    });
}

std::vector<int> Systemd::listen_fds() {
    std::vector<int> fds;
    int n = sd_listen_fds(1); // unsets LISTEN_* so children do not inherit them
    for (int i = 0; i < n; ++i) fds.push_back(SD_LISTEN_FDS_START + i);
    return fds;
}

} // namespace plugrpc
