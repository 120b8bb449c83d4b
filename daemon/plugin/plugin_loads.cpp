#include "daemon/plugin/plugin_loads.hpp"

#include "daemon/plugin/scan.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <mutex>

namespace plugrpc {

// The control context, while the PluginLoads that started a load exists;
// a load's thread reaches the PluginLoads only through a handler posted
// there, which checks `owner` on the control thread.
struct PluginLoads::Shared {
    std::mutex mu;
    boost::asio::io_context* control = nullptr;
    PluginLoads* owner = nullptr; // read and reset on the control thread only

    // Run `f` on the control thread; false if it no longer runs handlers.
    template <class F>
    bool post(F&& f) {
        std::lock_guard lock(mu);
        if (!control || control->stopped()) return false;
        boost::asio::post(*control, std::forward<F>(f));
        return true;
    }
};

namespace {

std::string duration_text(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
    return std::to_string(d.count()) + " ms";
}

} // namespace

PluginLoads::PluginLoads(boost::asio::io_context& control, Unloader unloader, Done done, std::size_t parallel)
    : control_(control),
      unloader_(std::move(unloader)),
      done_(std::move(done)),
      shared_(std::make_shared<Shared>()),
      threads_(parallel) {
    shared_->control = &control_;
    shared_->owner = this;
}

PluginLoads::~PluginLoads() {
    stop();
    std::lock_guard lock(shared_->mu);
    shared_->control = nullptr;
    shared_->owner = nullptr;
}

std::string PluginLoads::timeout_text(std::chrono::milliseconds init_timeout) {
    return "init did not return within " + duration_text(init_timeout);
}

PluginLoads::State PluginLoads::state(const std::filesystem::path& file) const {
    auto it = loads_.find(file);
    if (it == loads_.end()) return State::Idle;
    return it->second.timed_out ? State::TimedOut : State::Running;
}

void PluginLoads::start(std::shared_ptr<const Config> config, const std::filesystem::path& file) {
    if (stopped_ || loads_.count(file)) return;
    Load& load = loads_[file];
    load.config = config;
    load.id = threads_.run([shared = shared_, config, file, unloader = unloader_] {
        shared->post([shared, file] {
            if (shared->owner) shared->owner->on_started(file);
        });
        LoadResult r = load_plugin_file(*config, file, unloader);
        // Posted, the plugin is freed on the control context should its
        // handler never run; not posted, here and now.
        shared->post([shared, file, r = std::move(r)]() mutable {
            if (shared->owner) shared->owner->on_finished(file, std::move(r));
        });
    });
}

// The bound counts from the start of the load, not from its turn in the queue.
void PluginLoads::on_started(const std::filesystem::path& file) {
    auto it = loads_.find(file);
    if (it == loads_.end() || stopped_) return;
    Load& load = it->second;
    load.started = std::chrono::steady_clock::now();
    load.timer = std::make_unique<boost::asio::steady_timer>(control_, load.config->init_timeout);
    load.timer->async_wait([this, file](boost::system::error_code ec) {
        if (!ec) on_timeout(file);
    });
}

void PluginLoads::on_timeout(const std::filesystem::path& file) {
    auto it = loads_.find(file);
    if (it == loads_.end() || it->second.timed_out || stopped_) return;
    Load& load = it->second;
    load.timed_out = true;
    threads_.release(load.id);
    done_({file, nullptr, timeout_text(load.config->init_timeout)});
}

void PluginLoads::on_finished(const std::filesystem::path& file, LoadResult result) {
    auto it = loads_.find(file);
    if (it == loads_.end()) return; // let go at a stop: the plugin is dropped with `result`
    Load load = std::move(it->second);
    loads_.erase(it);
    if (load.timer) load.timer->cancel();
    if (stopped_) return;
    if (load.timed_out) {
        auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                           load.started);
        if (result.plugin)
            spdlog::warn("plugin {}: its init returned after {} ms, past init_timeout ({}): what it registered is "
                         "dropped, never served; the file loads again at the next reload",
                         file.string(), took.count(), duration_text(load.config->init_timeout));
        else
            spdlog::warn("plugin {}: its init returned after {} ms, past init_timeout ({}), and failed: {}",
                         file.string(), took.count(), duration_text(load.config->init_timeout), result.error);
        return; // `result` goes, and its plugin with it: shutdown on an unload thread
    }
    done_({file, std::move(result.plugin), std::move(result.error)});
}

void PluginLoads::stop() {
    if (stopped_) return;
    stopped_ = true;
    for (auto& [file, load] : loads_) {
        if (load.timer) load.timer->cancel();
        threads_.release(load.id);
    }
}

} // namespace plugrpc
