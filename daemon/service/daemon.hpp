// The daemon's life: start, serve, reload on SIGHUP, rescan plugins on
// drop-in, stop gracefully on SIGTERM/SIGINT — with systemd told each step.
#pragma once

#include "daemon/config/config.hpp"
#include "daemon/plugin/plugin_folders.hpp"
#include "daemon/plugin/plugin_threads.hpp"
#include "daemon/registry/registration.hpp"
#include "daemon/service/plugin_watch.hpp"
#include "daemon/service/systemd.hpp"
#include "server/plugin/loaded_plugin.hpp"

#include <plugrpc/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace plugrpc {

class Daemon {
public:
    // `overrides` re-applies the command-line flags to every config read,
    // at start and on reload; it returns false (after printing why) to refuse.
    using Overrides = std::function<bool(Config&)>;

    // `runtime_dir` (may be empty): where the outcome of each reload is
    // written for `plugrpcd reload` (service/reload_status.hpp).
    Daemon(std::filesystem::path config_file, Config config, Overrides overrides,
           std::filesystem::path runtime_dir = {});
    ~Daemon();

    // Load plugins, listen, serve until stopped. Returns the exit code.
    int run();

    // The options the server library gets from a config: all but listen,
    // which run() binds itself (or takes from systemd).
    static ServerOptions server_options(const Config& config);

private:
    void wait_for_start_loads();
    void on_signal(int signo);
    // SIGTERM/SIGINT: the stop's steps, each a function of its own.
    void stop(const char* why);
    void leave_the_pool();
    void stop_background_work();
    void bound_the_stop();
    void reload();
    // The reload's work: empty when it took effect, else why it was refused.
    std::string apply_reload();
    // Once its plugin loads are done: what a reload that took effect came to.
    void reload_finished(const std::string& when, const std::vector<PluginFailure>& failures);
    void report_reload(bool ok, std::string text);
    void rescan();
    // What each scan ends with (start, reload, drop-in).
    void scan_finished(std::vector<PluginFailure> failures);
    void publish(std::shared_ptr<Registry> registry);
    std::string status();
    // Hand the debug page what only the daemon knows (plugrpc/program_status.hpp).
    void publish_program_status();
    void arm_status_timer();
    Unloader unloader();
    // Registers the served services in etcd when [registry] says so.
    void start_registration();
    std::set<std::string> served_services();

    // Where dropped plugins are freed, their shutdown run: threads of their
    // own. First: it waits for them last, once everything else is gone.
    PluginThreads unload_threads_{4};
    std::filesystem::path config_file_;
    std::filesystem::path runtime_dir_;
    std::uint64_t reload_generation_ = 0;
    std::uint64_t reloads_ = 0;      // SIGHUPs taken
    std::string last_reload_;        // "ok at ...", "rejected at ...: why"
    std::vector<PluginFailure> failed_plugins_; // of the latest scan
    Config config_;
    Overrides overrides_;
    Server server_;
    PluginFolders folders_; // after server_: its timers run on the control context
    Systemd systemd_;
    PluginWatch watch_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer status_timer_;
    bool stopping_ = false;
    bool listening_ = false;     // the listeners are open
    bool ready_pending_ = false; // the start-up loads finished before they were
    std::string bound_tcp_; // the first tcp listener, with its real port: "127.0.0.1:40123"
    std::unique_ptr<Registration> registration_; // last: it goes first, withdrawing
};

} // namespace plugrpc
