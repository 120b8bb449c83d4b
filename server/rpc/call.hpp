// One call in flight: what crosses the plugin ABI as `plrpc_call*`.
//
// The host creates a call, hands it to the method's handler, and the plugin
// answers it exactly once (now or later, from any thread). The answer is
// checked against the method's reply schema and handed to `done`.
#pragma once

#include "server/rpc/completion.hpp"
#include "server/registry/registry.hpp"

#include <plugrpc/abi.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace plugrpc {

// What a call produced, before any codec shapes it.
struct Outcome {
    enum class Kind : std::uint8_t {
        Ok,
        MethodError,   // the method's own error text ("divide by zero")
        NotFound,      // unknown service or method (Go's texts)
        IllFormed,     // no dot in the name
        InvalidParams, // arguments do not fit the method's schema
        Internal,      // plugin broke its contract
        Busy           // over a limit
    };
    Kind kind = Kind::Ok;
    boost::json::value result; // Ok: the reply value, canonical for the reply schema
    std::string error;         // otherwise: the text for the caller
    bool ok() const { return kind == Kind::Ok; }
};

} // namespace plugrpc

// Defined outside the namespace: abi.h declares it as a global struct.
struct plrpc_call {
    plrpc_call(plugrpc::MethodPtr m, plugrpc::Completion&& d) : method(std::move(m)), done(std::move(d)) {}
    plrpc_call(const plrpc_call&) = delete;
    plrpc_call& operator=(const plrpc_call&) = delete;

    plugrpc::MethodPtr method;
    // The arguments are built in this arena: small ones fit the call's own
    // block, so a call costs one allocation.
    unsigned char arena_block[320];
    boost::json::monotonic_resource arena{arena_block, sizeof arena_block};
    // The normalized arguments: as text (the JSON codecs write it, and it is
    // what the handler gets), or as a value (the gob codec builds one), or
    // both. host_api's argument helpers parse the text on first use.
    std::string_view args_text;
    boost::json::value args = boost::json::value(boost::json::storage_ptr(&arena));
    bool args_built = false;
    void set_args_text(std::string_view text) {
        auto* p = static_cast<char*>(arena.allocate(text.size() ? text.size() : 1, 1));
        std::memcpy(p, text.data(), text.size());
        args_text = std::string_view(p, text.size());
    }
    boost::json::object fields;     // built by set_* helpers
    boost::json::value scalar;      // set_* with field == NULL
    bool has_scalar = false;
    plugrpc::Completion done;
    std::atomic<std::size_t>* inflight = nullptr; // the dispatcher's count, decremented on answer
    std::chrono::steady_clock::time_point started;
    std::atomic<bool> answered{false};
    std::atomic<int> refs{2};       // the handler's invocation + the pending answer
};

namespace plugrpc {

// Answer a started call once: counts it, hands the outcome to `done`, drops
// the answer's reference. Later answers are refused (returns false).
bool answer_call(plrpc_call* call, Outcome&& outcome);
// Drop one reference; the last one frees the call.
void release_call(plrpc_call* call);

} // namespace plugrpc
