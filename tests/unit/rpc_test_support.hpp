// Helpers for the dispatcher tests (rpc_call_lifetime_test.cpp,
// rpc_max_concurrency_test.cpp): the host table the handlers call, and
// methods of a service "Test" taking Args{A int64} and replying an int64.
#pragma once

#include "server/plugin/loaded_plugin.hpp"
#include "server/rpc/dispatcher.hpp"

#include <cstdint>
#include <string>

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

} // namespace rpctest
