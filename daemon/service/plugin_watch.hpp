// Watching the plugin folders: a .so copied, moved, replaced or deleted
// there triggers a rescan, once the folder has been quiet for a moment.
// inotify reports a copy only when its writer closes the file, so a file
// still being written is not picked up half-written.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <vector>

namespace plugrpc {

class PluginWatch {
public:
    PluginWatch(boost::asio::io_context& ioc, std::function<void()> rescan);
    ~PluginWatch();

    // Watch exactly these folders (replacing what was watched before).
    void watch(const std::vector<std::filesystem::path>& dirs);
    void stop();

private:
    void read();
    void on_events(std::size_t n);

    int fd_ = -1;
    boost::asio::posix::stream_descriptor stream_;
    boost::asio::steady_timer quiet_;
    std::function<void()> rescan_;
    std::map<int, std::filesystem::path> watches_;
    alignas(8) char buf_[16 * 1024];
};

} // namespace plugrpc
