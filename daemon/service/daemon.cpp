#include "daemon/service/daemon.hpp"

#include "server/plugin/loaded_plugin.hpp"
#include "daemon/plugin/scan.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <set>

namespace plugrpc {

Daemon::Daemon(std::filesystem::path config_file, Config config, Overrides overrides)
    : config_file_(std::move(config_file)),
      config_(std::move(config)),
      overrides_(std::move(overrides)),
      dispatcher_(config_.blocking_threads),
      server_(config_, dispatcher_),
      systemd_(server_.control()),
      watch_(server_.control(), [this] { rescan(); }),
      signals_(server_.control(), SIGINT, SIGTERM, SIGHUP),
      status_timer_(server_.control()) {
    unload_target_->control = &server_.control();
}

Daemon::~Daemon() {
    // From here on, plugins are freed on the thread that drops them (the
    // threads have stopped: only this one is left).
    std::lock_guard lock(unload_target_->mu);
    unload_target_->control = nullptr;
}

Unloader Daemon::unloader() {
    return [target = unload_target_](LoadedPlugin* plugin) {
        std::unique_lock lock(target->mu);
        boost::asio::io_context* control = target->control;
        if (control && !control->stopped() && !control->get_executor().running_in_this_thread()) {
            // Should the context never run it, destroying the handler frees the plugin.
            boost::asio::post(*control, [owned = std::unique_ptr<LoadedPlugin>(plugin)] {});
            return;
        }
        lock.unlock();
        delete plugin;
    };
}

std::string Daemon::status() const {
    auto reg = dispatcher_.registry();
    return std::to_string(reg->method_count()) + " methods in " + std::to_string(reg->services().size()) +
           " services from " + std::to_string(reg->plugins().size()) + " plugins; " +
           std::to_string(server_.open_connections()) + " connections";
}

int Daemon::run() {
    ScanResult scan = scan_plugins(config_, nullptr, unloader());
    server_.context().counters.plugin_load_failures += scan.failures.size();
    if (scan.registry->method_count() == 0) spdlog::warn("no methods to serve yet: no plugin loaded");
    dispatcher_.publish(std::move(scan.registry));
    dispatcher_.set_max_inflight(config_.limits.max_inflight);

    std::string error;
    if (!server_.load_tls(config_, error)) {
        spdlog::critical("cannot serve TLS: {}", error);
        return 1;
    }
    if (!server_.listen(Systemd::listen_fds(), error)) {
        spdlog::critical("cannot listen: {}", error);
        return 1;
    }
    if (config_.watch) watch_.watch(config_.plugin_dirs);
    signals_.async_wait([this](boost::system::error_code ec, int signo) {
        if (!ec) on_signal(signo);
    });
    boost::asio::post(server_.control(), [this] {
        systemd_.ready(status());
        systemd_.start_watchdog();
        arm_status_timer();
    });
    int code = server_.run();
    spdlog::info("stopped");
    return code;
}

void Daemon::on_signal(int signo) {
    if (signo == SIGHUP && !stopping_) {
        reload();
    } else if (signo != SIGHUP && !stopping_) {
        stopping_ = true;
        spdlog::info("{}: stopping; answering the calls already received", signo == SIGINT ? "SIGINT" : "SIGTERM");
        systemd_.stopping();
        watch_.stop();
        status_timer_.cancel();
        server_.stop(config_.drain_timeout);
    }
    signals_.async_wait([this](boost::system::error_code ec, int s) {
        if (!ec) on_signal(s);
    });
}

void Daemon::reload() {
    spdlog::info("SIGHUP: reloading {}", config_file_.string());
    systemd_.reloading();
    server_.context().counters.reloads.fetch_add(1);
    ConfigResult loaded = load_config(config_file_);
    if (!loaded.config) {
        spdlog::error("reload: the new configuration is rejected, the running one stays: {}", loaded.error);
    } else if (!overrides_(*loaded.config)) {
        spdlog::error("reload: command-line flags do not apply to the new configuration; the running one stays");
    } else {
        Config next = std::move(*loaded.config);
        auto texts = [](const std::vector<ListenAddress>& v) {
            std::set<std::string> out;
            for (const auto& a : v) out.insert(a.text);
            return out;
        };
        if (texts(next.listen) != texts(config_.listen) || next.threads != config_.threads)
            spdlog::warn("reload: changes to [server] listen and threads take effect at the next start");
        spdlog::set_level(spdlog::level::from_str(next.log_level));
        next.listen = config_.listen;
        next.threads = config_.threads;
        config_ = std::move(next);
        server_.apply(config_);
        std::string tls_error;
        if (!server_.load_tls(config_, tls_error))
            spdlog::error("reload: {}; TLS connections keep the certificate already loaded", tls_error);
        dispatcher_.set_max_inflight(config_.limits.max_inflight);
        if (config_.watch) watch_.watch(config_.plugin_dirs);
        else watch_.watch({});
        rescan();
    }
    systemd_.ready(status());
}

void Daemon::rescan() {
    if (stopping_) return;
    auto previous = dispatcher_.registry();
    ScanResult scan = scan_plugins(config_, previous.get(), unloader());
    server_.context().counters.plugin_load_failures += scan.failures.size();
    std::set<const LoadedPlugin*> kept;
    for (const auto& p : scan.registry->plugins()) kept.insert(p.get());
    for (const auto& p : previous->plugins())
        if (!kept.count(p.get()))
            spdlog::info("unloading plugin {} {} ({}) once its calls finish", p->name, p->version, p->file.string());
    dispatcher_.publish(std::move(scan.registry));
    systemd_.status(status());
}

void Daemon::arm_status_timer() {
    status_timer_.expires_after(std::chrono::seconds(10));
    status_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopping_) return;
        systemd_.status(status());
        arm_status_timer();
    });
}

} // namespace plugrpc
