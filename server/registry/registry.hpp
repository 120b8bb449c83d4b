// The registry: which services and methods are served, where they came from,
// and how often they were called.
//
// A Registry is immutable once built. The server publishes it as a
// shared_ptr snapshot; a reload builds a new one and swaps it in, and calls
// already running keep their Method (and through it their plugin) alive.
#pragma once

#include "wire/schema.hpp"

#include <plugrpc/abi.h>
#include <plugrpc/json_write.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace plugrpc {

class LoadedPlugin;

// Upper bounds (seconds) of the latency histogram buckets; the last bucket
// (+Inf) is implicit.
inline constexpr std::array<double, 14> kLatencyBounds = {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4,
                                                          5e-4, 1e-3, 5e-3, 0.025, 0.1,  0.5,  2.5};

// Counters of one method. Shared by every registry snapshot that serves the
// same loaded method, so figures survive reloads that keep the plugin.
struct MethodStats {
    std::atomic<std::uint64_t> calls{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> total_ns{0};
    std::atomic<std::int64_t> inflight{0};
    // Calls refused at once because max_concurrency of theirs were running.
    std::atomic<std::uint64_t> overloaded{0};
    // Its max_concurrency, resolved from the table by name whenever the
    // table or the registry changes (Dispatcher): 0, no limit.
    std::atomic<std::size_t> max_concurrency{0};
    // Its call timeout in ns when the per-method table names it (or its
    // service), resolved likewise; -1: the daemon-wide call_timeout.
    std::atomic<std::int64_t> timeout_ns{-1};
    // Calls by latency: buckets[i] counts calls <= kLatencyBounds[i] (not
    // cumulative); the last one counts the rest.
    std::array<std::atomic<std::uint64_t>, kLatencyBounds.size() + 1> buckets{};

    void record(std::uint64_t ns, bool error);
    // Latency quantile (0..1) in seconds, estimated from the buckets by
    // linear interpolation (latency_quantile.hpp); 0 without calls.
    double quantile(double q) const;
};

struct Method {
    std::string service;    // "Arith"
    std::string name;       // "Multiply"
    std::string full_name;  // "Arith.Multiply"
    SchemaPtr args;
    SchemaPtr reply;
    std::string args_schema_text;  // as registered, for introspection
    std::string reply_schema_text;
    std::uint32_t flags = 0;
    TextForm args_form = TextForm::Extended; // what its handler reads (its plugin's)
    plrpc_handler_fn handler = nullptr;
    void* method_data = nullptr;
    std::shared_ptr<LoadedPlugin> plugin; // keeps the code mapped while a call runs
    std::shared_ptr<MethodStats> stats = std::make_shared<MethodStats>();

    bool blocking() const { return flags & PLRPC_METHOD_BLOCKING; }
};
using MethodPtr = std::shared_ptr<const Method>;

struct Service {
    std::string name;
    std::shared_ptr<LoadedPlugin> plugin;
    std::map<std::string, MethodPtr, std::less<>> methods; // sorted by name, as Go's debug page
};

// Result of looking up "Service.Method", with Go's error texts.
struct Lookup {
    MethodPtr method;
    enum class Miss { None, IllFormed, NoService, NoMethod } miss = Miss::None;
    std::string error; // Go's text, empty when found
};

// JSON-RPC 2.0 reserves method names that begin with "rpc." for the
// protocol's own (the daemon answers rpc.discover): no plugin may serve
// service "rpc", or one under it ("rpc.x").
bool reserved_service(std::string_view service);

class Registry {
public:
    // Services sorted by name.
    const std::map<std::string, Service, std::less<>>& services() const { return services_; }
    const std::vector<std::shared_ptr<LoadedPlugin>>& plugins() const { return plugins_; }

    // Split at the last dot, as Go's server does.
    Lookup find(std::string_view service_method) const;

    std::size_t method_count() const { return by_full_name_.size(); }

    // Building (before the snapshot is published).
    // Adds every method of `plugin`; fails, changing nothing, if one of its
    // services is already registered — the message names both files — or
    // is reserved (reserved_service).
    bool add_plugin(const std::shared_ptr<LoadedPlugin>& plugin, std::string& error);

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::map<std::string, Service, std::less<>> services_;
    std::unordered_map<std::string, MethodPtr, Hash, std::equal_to<>> by_full_name_;
    std::vector<std::shared_ptr<LoadedPlugin>> plugins_;
};

using RegistryPtr = std::shared_ptr<const Registry>;

} // namespace plugrpc
