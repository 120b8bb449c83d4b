#include "daemon/plugin/scan.hpp"

#include "server/isolate/isolated_plugin.hpp"
#include "server/plugin/loaded_plugin.hpp"

#include <spdlog/spdlog.h>

#include <cstring>
#include <set>
#include <unistd.h>
#include <sys/stat.h>

namespace plugrpc {

namespace {

std::shared_ptr<LoadedPlugin> unchanged(const Config& config, const Registry* previous,
                                        const std::filesystem::path& file) {
    if (!previous) return nullptr;
    struct stat st{};
    if (::stat(file.c_str(), &st) != 0) return nullptr;
    FileIdentity id{st.st_dev, st.st_ino, std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    for (const auto& p : previous->plugins())
        if (p->file == file && p->identity == id && bool(p->process) == config.isolated(p->name)) return p;
    return nullptr;
}

// plugrpc-plugin-host: beside this program (a build tree), else where the
// package puts it relative to this program (PREFIX/sbin/plugrpcd,
// PREFIX/lib/plugrpcd/plugrpc-plugin-host: an unpacked or relocated
// install), else where it was installed.
std::filesystem::path plugin_host(std::string& error) {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::vector<std::filesystem::path> tried;
    if (!ec) {
        tried.push_back(self.parent_path() / "plugrpc-plugin-host");
        tried.push_back(self.parent_path().parent_path() / "lib/plugrpcd/plugrpc-plugin-host");
    }
    tried.emplace_back(PLUGRPC_PLUGIN_HOST);
    std::string where;
    for (const auto& p : tried) {
        if (::access(p.c_str(), X_OK) == 0) return p;
        where += (where.empty() ? "" : ", ") + p.string();
    }
    error = "isolated plugins need plugrpc-plugin-host, not found at " + where;
    return {};
}

// Load `file` in-process or isolated, as the config says for its plugin.
// A plugin's name is known only once it is loaded: when any plugin may be
// isolated, the file is first started in a child, and brought into the
// daemon only if its [plugin.<name>] table says isolate = false — so no
// plugin meant to be isolated ever runs code in the daemon.
} // namespace

LoadResult load_plugin_file(const Config& config, const std::filesystem::path& file, const Unloader& unloader) {
    bool any_isolated = config.isolate;
    for (const auto& [name, h] : config.plugin_hosting) any_isolated = any_isolated || h.isolate.value_or(false);
    if (!any_isolated) return load_plugin(file, config.plugin_configs, unloader);
    isolate::IsolateOptions opt;
    std::string error;
    opt.host_program = plugin_host(error);
    if (opt.host_program.empty()) return {nullptr, error};
    opt.blocking_threads = config.blocking_threads;
    opt.max_blocking_threads = config.max_blocking_threads;
    opt.blocking_timer_slack = config.blocking_timer_slack;
    opt.start_timeout = config.init_timeout; // its child is killed then
    for (const auto& [name, h] : config.plugin_hosting) {
        if (h.max_memory) opt.max_memory[name] = h.max_memory;
        if (h.max_cpu > 0) opt.max_cpu[name] = h.max_cpu;
    }
    LoadResult r = isolate::load_isolated(file, config.plugin_configs, opt, unloader);
    if (!r.plugin || config.isolated(r.plugin->name)) return r;
    r.plugin.reset(); // [plugin.<name>] isolate = false: into the daemon after all
    return load_plugin(file, config.plugin_configs, unloader);
}

std::shared_ptr<LoadedPlugin> loaded_from(const Registry* registry, const std::filesystem::path& file) {
    if (!registry) return nullptr;
    for (const auto& p : registry->plugins())
        if (p->file == file) return p;
    return nullptr;
}

namespace {

// Anyone who can write a plugin file or its folder can run code in the
// daemon: only root and the daemon's own user may.
bool trusted(const std::filesystem::path& path, uid_t self, std::string& why) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return why = std::strerror(errno), false;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        why = std::string(S_ISDIR(st.st_mode) ? "its folder " + path.string() : "it") + " is writable by " +
              ((st.st_mode & S_IWOTH) ? "others" : "its group") + " (mode " + mode +
              "); refused because [plugins] strict_permissions = true";
        return false;
    }
    if (st.st_uid != 0 && st.st_uid != self) {
        why = std::string(S_ISDIR(st.st_mode) ? "its folder " + path.string() : "it") + " is owned by uid " +
              std::to_string(st.st_uid) + ", not root or the daemon's user; refused because [plugins] "
              "strict_permissions = true";
        return false;
    }
    return true;
}

} // namespace

Composed compose_registry(const std::vector<std::shared_ptr<LoadedPlugin>>& plugins) {
    Composed c;
    c.registry = std::make_shared<Registry>();
    for (const auto& p : plugins) {
        std::string error;
        if (!c.registry->add_plugin(p, error)) c.refused.emplace_back(p, error);
    }
    return c;
}

void log_loaded(const LoadedPlugin& plugin) {
    std::set<std::string> names;
    for (const auto& m : plugin.methods) names.insert(m.service);
    std::string services;
    for (const auto& n : names) services += (services.empty() ? "" : ", ") + n;
    if (plugin.process)
        spdlog::info("loaded plugin {} {} from {}: {} ({} methods), isolated in process {}", plugin.name,
                     plugin.version, plugin.file.string(), services, plugin.methods.size(),
                     plugin.process->status().pid);
    else
        spdlog::info("loaded plugin {} {} from {}: {} ({} methods)", plugin.name, plugin.version,
                     plugin.file.string(), services, plugin.methods.size());
}

ScanPlan plan_scan(const Config& config, const Registry* previous, std::optional<uid_t> daemon_uid) {
    uid_t self = daemon_uid.value_or(::geteuid());
    ScanPlan plan;
    auto failed = [&](const std::filesystem::path& file, const std::string& why) {
        spdlog::error("plugin {} skipped: {}", file.string(), why);
        plan.failures.push_back({file, why});
    };
    for (const auto& dir : config.plugin_dirs) {
        std::string error;
        auto files = list_plugin_files(dir, error);
        if (!error.empty()) {
            failed(dir, "cannot read plugin folder: " + error);
            continue;
        }
        std::string dir_problem;
        bool dir_ok = !config.strict_permissions || trusted(dir, self, dir_problem);
        for (const auto& file : files) {
            std::string why;
            if (!dir_ok || (config.strict_permissions && !trusted(file, self, why))) {
                failed(file, dir_ok ? why : dir_problem);
                continue;
            }
            plan.files.push_back({file, unchanged(config, previous, file)});
        }
    }
    return plan;
}

ScanResult scan_plugins(const Config& config, const Registry* previous, const Unloader& unloader,
                        std::optional<uid_t> daemon_uid) {
    ScanPlan plan = plan_scan(config, previous, daemon_uid);
    ScanResult r;
    r.failures = std::move(plan.failures);
    r.registry = std::make_shared<Registry>();
    auto failed = [&](const std::filesystem::path& file, const std::string& why) {
        spdlog::error("plugin {} skipped: {}", file.string(), why);
        r.failures.push_back({file, why});
    };
    for (const auto& entry : plan.files) {
        const auto& file = entry.file;
        std::string error;
        std::shared_ptr<LoadedPlugin> plugin = entry.unchanged;
        bool fresh = !plugin;
        // A file that changed is replaced only by a version that loads:
        // caught half-copied (a SIGHUP during a slow copy in place) or
        // broken, it leaves the version loaded before serving.
        auto keep_previous = [&](const std::string& why) {
            std::shared_ptr<LoadedPlugin> old = loaded_from(previous, file);
            if (!old || !r.registry->add_plugin(old, error)) return false;
            failed(file, why + "; " + old->name + " " + old->version + " loaded from it before keeps serving");
            return true;
        };
        if (fresh) {
            LoadResult loaded = load_plugin_file(config, file, unloader);
            if (!loaded.plugin) {
                if (!keep_previous(loaded.error)) failed(file, loaded.error);
                continue;
            }
            plugin = std::move(loaded.plugin);
        }
        if (!r.registry->add_plugin(plugin, error)) {
            std::string why = error;
            if (!fresh || !keep_previous(why)) failed(file, why);
            continue;
        }
        if (fresh) log_loaded(*plugin);
    }
    return r;
}

} // namespace plugrpc
