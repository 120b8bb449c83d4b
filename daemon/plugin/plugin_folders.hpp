// The plugins the daemon serves, kept in step with its plugin folders
// without running plugin code on the control thread.
//
// A rescan (start, SIGHUP, a file dropped in) finds what the folders hold
// and publishes at once what stays: unchanged plugins keep serving, removed
// files' plugins go (freed once their calls finish), and a changed file's
// previous version serves on until its new one has loaded. Every file to
// load is loaded on a thread of its own (plugin_loads.hpp), and published
// as soon as ITS load finishes — in a registry built from the one served
// plus it, in scan order, so that of two plugins with the same service the
// first file's serves it whichever loaded first. A slow init delays only
// its own plugin.
//
// Each rescan's outcome — what failed, in the folders or in a load — goes
// to its `Finished` once every load it waits for has finished or timed out.
// Everything here runs on the control thread.
#pragma once

#include "daemon/config/config.hpp"
#include "daemon/plugin/plugin_loads.hpp"
#include "server/registry/registry.hpp"

#include <plugrpc/program_status.hpp>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <set>
#include <vector>

namespace plugrpc {

class PluginFolders {
public:
    using Publish = std::function<void(std::shared_ptr<Registry>)>;
    using Finished = std::function<void(std::vector<PluginFailure> failures)>;

    // `publish` hands each new registry to the dispatcher; plugins are freed
    // through `unloader`.
    PluginFolders(boost::asio::io_context& control, Unloader unloader, Publish publish);

    // Scan `config`'s folders; `finished` is posted to the control context
    // with the failures once the loads this scan waits for are done.
    void rescan(const Config& config, Finished finished);

    // A stop: loads still running are let go; no rescan finishes from now.
    void stop();

private:
    struct Round {
        std::set<std::filesystem::path> waiting; // files whose load it waits for
        std::vector<PluginFailure> failures;
        Finished finished;
    };
    void on_loaded(PluginLoads::Outcome outcome);
    void publish(std::shared_ptr<Registry> next);
    void finish(Round& round);
    std::size_t position(const std::filesystem::path& file) const;

    boost::asio::io_context& control_;
    Publish publish_;
    std::shared_ptr<const Registry> served_ = std::make_shared<Registry>();
    std::vector<std::filesystem::path> order_; // the files of the latest scan, in scan order
    std::list<Round> rounds_;
    bool stopped_ = false;
    PluginLoads loads_; // last: its loads are let go before the rest is destroyed
};

} // namespace plugrpc
