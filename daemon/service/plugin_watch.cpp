#include "daemon/service/plugin_watch.hpp"

#include <spdlog/spdlog.h>

#include <cstring>
#include <sys/inotify.h>
#include <unistd.h>

namespace plugrpc {
namespace asio = boost::asio;

namespace {
constexpr auto kQuiet = std::chrono::milliseconds(250);
constexpr std::uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF |
                                IN_MOVE_SELF | IN_ONLYDIR;
} // namespace

PluginWatch::PluginWatch(asio::io_context& ioc, std::function<void()> rescan)
    : stream_(ioc), quiet_(ioc), rescan_(std::move(rescan)) {
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ < 0) {
        spdlog::warn("plugin watch unavailable: inotify: {}", std::strerror(errno));
        return;
    }
    stream_.assign(fd_);
    read();
}

PluginWatch::~PluginWatch() { stop(); }

void PluginWatch::stop() {
    boost::system::error_code ignored;
    quiet_.cancel();
    if (stream_.is_open()) stream_.close(ignored);
    fd_ = -1;
}

void PluginWatch::watch(const std::vector<std::filesystem::path>& dirs) {
    if (fd_ < 0) return;
    for (auto& [wd, path] : watches_) ::inotify_rm_watch(fd_, wd);
    watches_.clear();
    for (const auto& d : dirs) {
        int wd = ::inotify_add_watch(fd_, d.c_str(), kMask);
        if (wd < 0) {
            spdlog::warn("cannot watch plugin folder {}: {}", d.string(), std::strerror(errno));
            continue;
        }
        watches_[wd] = d;
        spdlog::debug("watching plugin folder {}", d.string());
    }
}

void PluginWatch::read() {
    stream_.async_read_some(asio::buffer(buf_), [this](boost::system::error_code ec, std::size_t n) {
        if (ec) {
            if (ec != asio::error::operation_aborted) spdlog::warn("plugin watch stopped: {}", ec.message());
            return;
        }
        on_events(n);
        read();
    });
}

void PluginWatch::on_events(std::size_t n) {
    bool relevant = false;
    for (std::size_t off = 0; off + sizeof(inotify_event) <= n;) {
        inotify_event ev;
        std::memcpy(&ev, buf_ + off, sizeof ev);
        std::string_view name = ev.len ? std::string_view(buf_ + off + sizeof ev, ::strnlen(buf_ + off + sizeof ev, ev.len))
                                       : std::string_view();
        if ((ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW)) ||
            (name.size() > 3 && name.substr(name.size() - 3) == ".so"))
            relevant = true;
        off += sizeof(inotify_event) + ev.len;
    }
    if (!relevant) return;
    quiet_.expires_after(kQuiet);
    quiet_.async_wait([this](boost::system::error_code ec) {
        if (!ec) rescan_();
    });
}

} // namespace plugrpc
