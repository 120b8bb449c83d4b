#include "daemon/plugin/plugin_folders.hpp"

#include "daemon/plugin/scan.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace plugrpc {

namespace {

// Logs and records one failure.
void failed(std::vector<PluginFailure>& failures, const std::filesystem::path& file, const std::string& why) {
    spdlog::error("plugin {} skipped: {}", file.string(), why);
    failures.push_back({file, why});
}

std::string keeps_serving(const LoadedPlugin& old) {
    return "; " + old.name + " " + old.version + " loaded from it before keeps serving";
}

} // namespace

PluginFolders::PluginFolders(boost::asio::io_context& control, Unloader unloader, Publish publish)
    : control_(control),
      publish_(std::move(publish)),
      loads_(control, std::move(unloader), [this](PluginLoads::Outcome o) { on_loaded(std::move(o)); }) {}

void PluginFolders::rescan(const Config& config, Finished finished) {
    if (stopped_) return;
    auto cfg = std::make_shared<const Config>(config);
    ScanPlan plan = plan_scan(*cfg, served_.get());
    Round round{{}, std::move(plan.failures), std::move(finished)};
    order_.clear();
    std::vector<std::shared_ptr<LoadedPlugin>> now;
    std::vector<std::filesystem::path> to_load;
    for (const auto& entry : plan.files) {
        order_.push_back(entry.file);
        if (entry.unchanged) {
            now.push_back(entry.unchanged);
            continue;
        }
        if (auto old = loaded_from(served_.get(), entry.file)) now.push_back(old); // until its new version loads
        to_load.push_back(entry.file);
    }
    Composed composed = compose_registry(now);
    for (const auto& [plugin, why] : composed.refused) failed(round.failures, plugin->file, why);
    publish(std::move(composed.registry));

    for (const auto& file : to_load) {
        switch (loads_.state(file)) {
        case PluginLoads::State::Idle:
            loads_.start(cfg, file);
            round.waiting.insert(file);
            break;
        case PluginLoads::State::Running: // started by an earlier scan: its outcome serves this one too
            round.waiting.insert(file);
            break;
        case PluginLoads::State::TimedOut: {
            std::string why = PluginLoads::timeout_text(cfg->init_timeout) +
                              " at an earlier load, and has not returned yet: not loaded again until it does";
            if (auto old = loaded_from(served_.get(), file)) why += keeps_serving(*old);
            failed(round.failures, file, why);
            break;
        }
        }
    }
    rounds_.push_back(std::move(round));
    if (rounds_.back().waiting.empty()) {
        finish(rounds_.back());
        rounds_.pop_back();
    }
}

void PluginFolders::on_loaded(PluginLoads::Outcome o) {
    if (stopped_) return;
    const auto& file = o.file;
    bool planned = std::find(order_.begin(), order_.end(), file) != order_.end();
    std::shared_ptr<LoadedPlugin> old = loaded_from(served_.get(), file);
    std::vector<PluginFailure> failures;
    if (!o.plugin) {
        failed(failures, file, o.error + (old ? keeps_serving(*old) : ""));
    } else if (!planned) {
        spdlog::info("plugin {} {} loaded from {}, which the plugin folders no longer hold: not served",
                     o.plugin->name, o.plugin->version, file.string());
    } else {
        // The registry served, with this file's plugin replaced by the new one.
        std::vector<std::shared_ptr<LoadedPlugin>> plugins;
        for (const auto& p : served_->plugins())
            if (p->file != file) plugins.push_back(p);
        plugins.push_back(o.plugin);
        std::stable_sort(plugins.begin(), plugins.end(),
                         [this](const auto& a, const auto& b) { return position(a->file) < position(b->file); });
        Composed composed = compose_registry(plugins);
        auto refused_new = std::find_if(composed.refused.begin(), composed.refused.end(),
                                        [&](const auto& r) { return r.first == o.plugin; });
        if (refused_new != composed.refused.end()) {
            // The registry served stays as it is.
            failed(failures, file, refused_new->second + (old ? keeps_serving(*old) : ""));
        } else {
            // Refused here: a plugin of a later file that has one of its services.
            for (const auto& [plugin, why] : composed.refused) failed(failures, plugin->file, why);
            log_loaded(*o.plugin);
            publish(std::move(composed.registry));
        }
    }
    for (auto it = rounds_.begin(); it != rounds_.end();) {
        if (!it->waiting.erase(file)) {
            ++it;
            continue;
        }
        it->failures.insert(it->failures.end(), failures.begin(), failures.end());
        if (!it->waiting.empty()) {
            ++it;
            continue;
        }
        finish(*it);
        it = rounds_.erase(it);
    }
}

void PluginFolders::publish(std::shared_ptr<Registry> next) {
    for (const auto& p : served_->plugins())
        if (std::find(next->plugins().begin(), next->plugins().end(), p) == next->plugins().end())
            spdlog::info("unloading plugin {} {} ({}) once its calls finish", p->name, p->version, p->file.string());
    served_ = next;
    publish_(std::move(next));
}

void PluginFolders::finish(Round& round) {
    boost::asio::post(control_, [done = std::move(round.finished), failures = std::move(round.failures)]() mutable {
        done(std::move(failures));
    });
}

std::size_t PluginFolders::position(const std::filesystem::path& file) const {
    return static_cast<std::size_t>(std::find(order_.begin(), order_.end(), file) - order_.begin());
}

void PluginFolders::stop() {
    stopped_ = true;
    rounds_.clear();
    loads_.stop();
}

} // namespace plugrpc
