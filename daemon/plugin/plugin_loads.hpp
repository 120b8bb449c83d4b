// Loading plugin files off the control thread. Each load — map, check and
// init, or an isolated plugin's child started and its handshake — runs on a
// thread of its own (at most a few at once, plugin_threads.hpp), and its
// outcome is handed back on the control thread, where it is published.
//
// An init that has not returned within init_timeout is reported as failed
// then ("init did not return within 30 s"). Its thread cannot be stopped:
// it is let go, and should the init return later, what it registered is
// dropped — its shutdown run, never published. An isolated plugin's child
// is killed at the same bound (IsolateOptions::start_timeout). While a load
// of a file runs, that file is not loaded again.
#pragma once

#include "daemon/config/config.hpp"
#include "daemon/plugin/plugin_threads.hpp"
#include "server/plugin/loaded_plugin.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace plugrpc {

class PluginLoads {
public:
    struct Outcome {
        std::filesystem::path file;
        std::shared_ptr<LoadedPlugin> plugin; // null on failure
        std::string error;                    // why, without the file name
    };
    // Called on the control thread, once per load.
    using Done = std::function<void(Outcome)>;

    // Plugins are freed through `unloader` (loaded_plugin.hpp).
    PluginLoads(boost::asio::io_context& control, Unloader unloader, Done done, std::size_t parallel = 4);
    // Loads still running are let go: their outcomes are dropped.
    ~PluginLoads();
    PluginLoads(const PluginLoads&) = delete;
    PluginLoads& operator=(const PluginLoads&) = delete;

    enum class State {
        Idle,     // no load of the file runs
        Running,  // its outcome will come
        TimedOut, // reported failed; its init still runs, and the file is not loaded again until it returns
    };
    State state(const std::filesystem::path& file) const;

    // Start loading `file` as `config` says. Only when state(file) is Idle.
    void start(std::shared_ptr<const Config> config, const std::filesystem::path& file);

    // The failure reported for an init past init_timeout.
    static std::string timeout_text(std::chrono::milliseconds init_timeout);

    // A stop: let every load go; no outcome is handed on from now.
    void stop();

private:
    struct Shared; // what a load's thread reaches, whether or not this still exists
    struct Load {
        PluginThreads::Id id = 0;
        std::shared_ptr<const Config> config;
        std::unique_ptr<boost::asio::steady_timer> timer;
        std::chrono::steady_clock::time_point started;
        bool timed_out = false;
    };
    void on_started(const std::filesystem::path& file);
    void on_timeout(const std::filesystem::path& file);
    void on_finished(const std::filesystem::path& file, LoadResult result);

    boost::asio::io_context& control_;
    Unloader unloader_;
    Done done_;
    std::map<std::filesystem::path, Load> loads_;
    bool stopped_ = false;
    std::shared_ptr<Shared> shared_;
    PluginThreads threads_; // last: destroyed first, after every load was let go
};

} // namespace plugrpc
