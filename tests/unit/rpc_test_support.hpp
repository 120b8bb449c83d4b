// Helpers for the dispatcher tests (rpc_call_lifetime_test.cpp,
// rpc_max_concurrency_test.cpp, and the integration test of an isolated
// plugin's supervisor): the host table the handlers call, methods of a
// service "Test" taking Args{A int64} and replying an int64, and the
// outcomes of calls as they complete.
#pragma once

#include "server/plugin/loaded_plugin.hpp"
#include "server/rpc/dispatcher.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rpctest {

inline constexpr const char* kArgs =
    R"({"type":"object","title":"Args","properties":{"A":{"type":"integer","format":"int64"}}})";
inline constexpr const char* kInt = R"({"type":"integer","format":"int64"})";

inline const plrpc_host_v1& host() { return *plugrpc::host_table(); }

// Test.<name>(Args) int64, run by `handler`; `flags` as a plugin registers
// them (PLRPC_METHOD_BLOCKING).
inline plugrpc::Method method(const std::string& name, plrpc_handler_fn handler, std::uint32_t flags = 0) {
    plugrpc::Method m;
    m.service = "Test";
    m.name = name;
    m.full_name = "Test." + name;
    m.args_schema_text = kArgs;
    m.reply_schema_text = kInt;
    m.args = plugrpc::parse_schema(m.args_schema_text).schema;
    m.reply = plugrpc::parse_schema(m.reply_schema_text).schema;
    m.handler = handler;
    m.flags = flags;
    return m;
}

// Outcomes as they arrive, from any thread: got[i] came on threads[i].
struct Outcomes {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<plugrpc::Outcome> got;
    std::vector<std::thread::id> threads;
    plugrpc::Completion sink() {
        return [this](plugrpc::Outcome&& o) {
            std::lock_guard lock(mu);
            got.push_back(std::move(o));
            threads.push_back(std::this_thread::get_id());
            cv.notify_all();
        };
    }
    bool wait(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, limit, [&] { return got.size() >= n; });
    }
    std::size_t size() {
        std::lock_guard lock(mu);
        return got.size();
    }
};

} // namespace rpctest
