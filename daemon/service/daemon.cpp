#include "daemon/service/daemon.hpp"

#include "server/plugin/loaded_plugin.hpp"
#include "daemon/service/exit_watchdog.hpp"
#include "daemon/service/reload_status.hpp"
#include "daemon/service/stray_exit.hpp"
#include "server/net/network.hpp"
#include "server/rpc/dispatcher.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>

#include <unistd.h>

#include <ctime>
#include <thread>
#include <set>

namespace plugrpc {

namespace {
// How long a graceful stop waits for etcd to confirm the withdrawal.
constexpr std::chrono::milliseconds kWithdrawBound{1000};
// How long the start waits for its plugin loads before it opens the
// listeners: long enough for usual plugins, so a connection that arrives
// at once (socket activation, a restart under load) finds them served;
// short, so a slow init delays only its own plugin.
constexpr std::chrono::milliseconds kStartWait{1000};
} // namespace

Daemon::Daemon(std::filesystem::path config_file, Config config, Overrides overrides,
               std::filesystem::path runtime_dir)
    : config_file_(std::move(config_file)),
      runtime_dir_(std::move(runtime_dir)),
      config_(std::move(config)),
      overrides_(std::move(overrides)),
      server_(server_options(config_)),
      folders_(server_.network().control(), unloader(),
               [this](std::shared_ptr<Registry> registry) { publish(std::move(registry)); }),
      systemd_(server_.network().control()),
      watch_(server_.network().control(), [this] { rescan(); }),
      signals_(server_.network().control(), SIGINT, SIGTERM, SIGHUP),
      status_timer_(server_.network().control()) {}

ServerOptions Daemon::server_options(const Config& config) {
    ServerOptions o = config;
    o.listen.clear();
    return o;
}

// The plugins still served are freed as server_ goes, on unload threads;
// unload_threads_, destroyed last, waits for their shutdowns.
Daemon::~Daemon() = default;

// A plugin's shutdown runs on a thread of its own, never on the control
// thread, a network thread or a thread of the plugin's.
Unloader Daemon::unloader() {
    return [run = unload_threads_.runner()](LoadedPlugin* plugin) { run([plugin] { delete plugin; }); };
}

std::string Daemon::status() {
    auto reg = server_.dispatcher().registry();
    return std::to_string(reg->method_count()) + " methods in " + std::to_string(reg->services().size()) +
           " services from " + std::to_string(reg->plugins().size()) + " plugins; " +
           std::to_string(server_.network().open_connections()) + " connections";
}

int Daemon::run() {
    // While it runs, an exit() from plugin code is a failure, restarted
    // (service/stray_exit.hpp); the daemon's own stop allows it again.
    struct StrayExitGuard {
        StrayExitGuard() { guard_stray_exit(); }
        ~StrayExitGuard() { allow_exit(); }
    } stray_exit_guard;
    // Each plugin is served as soon as it has loaded, on a thread of its
    // own; the daemon listens meanwhile, and /readyz says "starting".
    server_.network().context().loading = true;
    folders_.rescan(config_, [this](std::vector<PluginFailure> failures) {
        if (stopping_) return;
        server_.network().context().loading = false;
        scan_finished(std::move(failures));
        if (server_.dispatcher().registry()->method_count() == 0)
            spdlog::warn("no methods to serve yet: no plugin loaded");
        spdlog::info("start-up plugin loads done: {}", status());
        if (listening_) systemd_.ready(status());
        else ready_pending_ = true;
    });
    wait_for_start_loads();

    try {
        if (std::vector<int> passed = Systemd::listen_fds(); !passed.empty()) {
            for (int fd : passed) {
                std::string error;
                std::string name = server_.network().adopt(fd, "from systemd", error);
                if (name.empty()) throw ServerError(error);
                if (bound_tcp_.empty() && name.starts_with("tcp://")) bound_tcp_ = name.substr(6, name.find(' ') - 6);
            }
        } else if (config_.listen.empty()) {
            throw ServerError("nothing to listen on: [server] listen is empty");
        } else {
            for (const auto& addr : config_.listen) {
                std::string name = server_.listen(addr.text);
                if (bound_tcp_.empty() && name.starts_with("tcp://")) bound_tcp_ = name.substr(6);
            }
        }
        if (!config_.agent_check.empty()) server_.listen_agent_check(config_.agent_check);
    } catch (const ServerError& e) {
        spdlog::critical("cannot listen: {}", e.what());
        return 1;
    }
    listening_ = true;
    if (ready_pending_) systemd_.ready(status());
    if (config_.watch) watch_.watch(config_.plugin_dirs);
    report_reload(true, "started");
    signals_.async_wait([this](boost::system::error_code ec, int signo) {
        if (!ec) on_signal(signo);
    });
    boost::asio::post(server_.network().control(), [this] {
        systemd_.start_watchdog([this] { return server_.network().context().pulse.stuck(); });
        start_registration();
        arm_status_timer();
    });
    server_.serve();
    spdlog::info("stopped");
    return 0;
}

// Run the control loop for the start-up loads' news (each load posts its
// plugin there) until they are all done or kStartWait has passed.
void Daemon::wait_for_start_loads() {
    auto& control = server_.network().control();
    auto until = std::chrono::steady_clock::now() + kStartWait;
    while (server_.network().context().loading.load() && std::chrono::steady_clock::now() < until) {
        if (control.run_one_until(until) == 0) { // no news yet: it stopped for want of work
            control.restart();
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    control.restart(); // serve() runs it from here on
}

void Daemon::on_signal(int signo) {
    if (signo == SIGHUP && !stopping_) reload();
    else if (signo != SIGHUP && !stopping_) stop(signo == SIGINT ? "SIGINT" : "SIGTERM");
    signals_.async_wait([this](boost::system::error_code ec, int s) {
        if (!ec) on_signal(s);
    });
}

// A graceful stop, in the order a load balancer in front needs it: first
// leave the pool, then keep serving for drain_delay while the balancer
// notices, then stop accepting and answer what was received.
void Daemon::stop(const char* why) {
    if (registration_) registration_->withdraw(kWithdrawBound); // first: etcd's clients go elsewhere
    stopping_ = true;
    allow_exit();
    spdlog::info("{}: stopping; answering the calls already received", why);
    systemd_.stopping();
    leave_the_pool();
    stop_background_work();
    bound_the_stop();
    server_.stop(); // serves drain_delay on, then stops accepting and drains
}

// /readyz answers 503 and the agent check "drain" from now on.
void Daemon::leave_the_pool() { server_.begin_drain(); }

void Daemon::stop_background_work() {
    folders_.stop(); // plugin loads still running are let go
    watch_.stop();
    status_timer_.cancel();
}

// Plugin code that never returns cannot hold the exit past drain_delay +
// drain_timeout + grace.
void Daemon::bound_the_stop() {
    const ServerOptions& o = server_.options();
    arm_exit_watchdog(o.drain_delay + o.drain_timeout + kStopGrace);
}

void Daemon::reload() {
    spdlog::info("SIGHUP: reloading {}", config_file_.string());
    systemd_.reloading();
    server_.network().context().counters.reloads.fetch_add(1);
    ++reloads_;
    auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char when_text[32];
    std::strftime(when_text, sizeof when_text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string when = when_text;
    std::string rejected = apply_reload();
    if (rejected.empty()) {
        // Told once the plugins it loads have loaded, or failed to.
        folders_.rescan(config_, [this, when](std::vector<PluginFailure> failures) {
            reload_finished(when, failures);
            scan_finished(std::move(failures));
        });
        return;
    }
    spdlog::error("reload: the new configuration is rejected, the running one stays: {}", rejected);
    last_reload_ = "rejected at " + when + ": " + rejected;
    publish_program_status();
    report_reload(false, rejected);
    systemd_.ready(status());
}

void Daemon::reload_finished(const std::string& when, const std::vector<PluginFailure>& failures) {
    if (stopping_) return;
    std::string failed;
    for (const auto& f : failures) failed += "; " + f.file.string() + ": " + f.reason;
    std::string count = failures.empty() ? ""
                                         : ", " + std::to_string(failures.size()) +
                                               (failures.size() == 1 ? " plugin" : " plugins") + " failed to load";
    last_reload_ = "ok at " + when + count;
    report_reload(true, "ok: " + status() + failed);
    systemd_.ready(status());
}

std::string Daemon::apply_reload() {
    ConfigResult loaded = load_config(config_file_);
    if (!loaded.config) return loaded.error;
    if (!overrides_(*loaded.config)) return "command-line flags do not apply to the new configuration";
    Config next = std::move(*loaded.config);
    auto texts = [](const std::vector<ListenAddress>& v) {
        std::set<std::string> out;
        for (const auto& a : v) out.insert(a.text);
        return out;
    };
    if (texts(next.listen) != texts(config_.listen) || next.threads != config_.threads)
        spdlog::warn("reload: changes to [server] listen and threads take effect at the next start");
    next.listen = config_.listen;
    next.threads = config_.threads;
    // Limits, paths and TLS material take effect together, or not at all.
    try {
        ServerOptions options = server_options(next);
        options.listen = config_.listen; // so tls:// listeners need the TLS files still
        server_.set_options(options);
    } catch (const ServerError& e) {
        return e.what();
    }
    spdlog::set_level(spdlog::level::from_str(next.log_level));
    bool registry_changed = next.registry != config_.registry;
    config_ = std::move(next);
    if (registry_changed) {
        registration_.reset(); // withdraws from where it was registered
        start_registration();
    }
    if (config_.watch) watch_.watch(config_.plugin_dirs);
    else watch_.watch({});
    return {};
}

void Daemon::report_reload(bool ok, std::string text) {
    if (runtime_dir_.empty()) return;
    ReloadStatus s{reload_generation_++, ok, std::move(text)};
    std::string error;
    if (!write_reload_status(runtime_dir_, s, error)) spdlog::warn("cannot record the reload's outcome: {}", error);
}

void Daemon::rescan() {
    if (stopping_) return;
    folders_.rescan(config_, [this](std::vector<PluginFailure> failures) {
        scan_finished(std::move(failures));
        systemd_.status(status());
    });
}

void Daemon::scan_finished(std::vector<PluginFailure> failures) {
    if (stopping_) return;
    server_.network().context().counters.plugin_load_failures += failures.size();
    failed_plugins_ = std::move(failures);
    publish_program_status();
}

// Each time a plugin loads or goes.
void Daemon::publish(std::shared_ptr<Registry> registry) {
    server_.dispatcher().publish(std::move(registry));
    if (registration_) registration_->set_services(served_services());
}

std::set<std::string> Daemon::served_services() {
    std::set<std::string> names;
    for (const auto& [name, svc] : server_.dispatcher().registry()->services()) names.insert(name);
    return names;
}

void Daemon::start_registration() {
    if (!config_.registry.enabled() || stopping_) return;
    std::string why;
    std::string advertise = config_.registry.advertise.empty() ? bound_tcp_
                                                                : parse_advertise(config_.registry.advertise, why);
    if (advertise.empty() || advertise.starts_with("0.0.0.0:") || advertise.starts_with("[::]:")) {
        spdlog::error("registry.advertise: {}; not registering in etcd",
                      why.empty() ? "needed: no tcp listener clients can dial" : why);
        return;
    }
    boost::json::object value{{"address", "tcp://" + advertise},
                              {"protocols", boost::json::array{"gob", "gob-http", "json", "http"}},
                              {"rpc_path", config_.rpc_path},
                              {"pid", static_cast<std::int64_t>(::getpid())},
                              {"version", PLUGRPC_VERSION}};
    registration_ = std::make_unique<Registration>(config_.registry, advertise, boost::json::serialize(value), [this] {
        boost::asio::post(server_.network().control(), [this] { publish_program_status(); });
    });
    registration_->set_services(served_services());
    publish_program_status();
}

void Daemon::publish_program_status() {
    ProgramStatus s;
    s.name = "plugrpcd";
    s.facts.emplace_back("config file", std::filesystem::absolute(config_file_).lexically_normal().string());
    std::string dirs;
    for (const auto& d : config_.plugin_dirs) dirs += (dirs.empty() ? "" : ", ") + d.string();
    s.facts.emplace_back("plugin dirs", dirs.empty() ? "none" : dirs);
    s.facts.emplace_back("reloads", std::to_string(reloads_) + (reloads_ ? ", last " + last_reload_ : ""));
    if (registration_) {
        s.facts.emplace_back("registry", registration_->describe());
        s.metrics = registration_->metrics();
    }
    s.failed_plugins = failed_plugins_;
    server_.set_program_status(std::move(s));
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
