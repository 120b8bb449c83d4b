// What the debug page shows, gathered at one moment from the live server:
// the server's and the embedding program's facts, one row per method, the
// plugins and the plugin files that failed to load. The text, HTML and JSON
// renderings are pure functions of it (debug_text.hpp, debug_json.hpp,
// dashboard.hpp).
#pragma once

#include "server/net/context.hpp"
#include "server/plugin/plugin_process.hpp"
#include "server/registry/registry.hpp"
#include "server/registry/stats_history.hpp"

#include <plugrpc/program_status.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>


namespace plugrpc {

struct DebugMethodRow {
    std::string service, method; // "Arith", "Multiply"
    std::string argument, reply;  // type names: "Args", "int64"
    std::uint64_t calls = 0, errors = 0;
    std::int64_t inflight = 0;
    double mean = 0, p50 = 0, p99 = 0; // seconds; 0 without calls
    std::optional<double> rate;        // calls/s over the last 10 s; none when not tracked (yet)
    std::string plugin;                // "arith 1.0.0"
    MethodPtr source;                  // its schemas, for JSON; may be null
    std::vector<StatsStep> history;    // only for the methods charted (SnapshotOptions)
    std::string full_name() const { return service + "." + method; }
};

struct DebugPluginRow {
    std::string name, version, description;
    std::string file;
    std::chrono::system_clock::time_point loaded_at;
    std::size_t methods = 0;
    std::optional<PluginProcessStatus> process; // isolated in a child process
    // "pid 7518, up, 2 restarts, last: signal 11 (SIGSEGV)"
    std::string process_text() const;
};

struct DebugSnapshot {
    std::string program = "plugrpcd"; // the embedding program's name
    std::string version;
    long pid = 0;
    std::chrono::system_clock::time_point started, now;
    std::vector<std::string> listeners;
    std::string log_level;
    std::vector<std::pair<std::string, std::int64_t>> connections; // by protocol
    std::size_t inflight = 0;
    std::vector<std::pair<std::string, std::string>> facts; // the program's
    std::size_t services = 0;
    std::size_t method_count = 0;        // served; `methods` may hold fewer (SnapshotOptions)
    std::vector<DebugMethodRow> methods; // in the order SnapshotOptions asked
    std::vector<DebugPluginRow> plugins;
    std::vector<PluginFailure> failed_plugins;
    std::size_t untracked = 0; // methods without history (StatsHistory's bound)
    int step_seconds = 1;      // of each method's `history`
};

struct SnapshotOptions {
    // Which methods get a row: the first `rows` in name order, or the
    // `rows` busiest (by calls/s over 10 s, then calls, then name).
    enum class Order { Name, Busiest } order = Order::Name;
    std::size_t rows = std::numeric_limits<std::size_t>::max();
    // With Order::Busiest, the first this many rows with calls get their
    // history, of `range`.
    std::size_t charted = 0;
    StatsHistory::Range range = StatsHistory::Range::Fine;
};

DebugSnapshot take_debug_snapshot(const Registry& registry, const ServeContext& ctx, const SnapshotOptions& options = {});

// "2026-12-02T14:03:12Z"
std::string utc_time(std::chrono::system_clock::time_point t);

} // namespace plugrpc
