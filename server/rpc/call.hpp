// One call in flight, and the handle a plugin holds for it.
//
// The host creates a Call, hands its handle (`plrpc_call*`) to the method's
// handler, and the call ends exactly once: answered by the plugin (now or
// later, from any thread), failed by the host (the handler returned without
// answering, or threw), timed out, or cancelled (the server stops, or the
// caller went away). Its outcome goes to `done`.
//
// A plugin may hold a handle past that end: it answers twice, answers after
// returning an error, answers after the deadline. So a handle is not a
// pointer but a slot index and a generation in the call table
// (server/rpc/call_table.hpp), whose slots are never freed; every host
// function checks the generation and takes a reference before it touches
// the call, and a handle whose call has ended is refused (PLRPC_INVALID)
// without reading the call's memory.
#pragma once

#include "server/rpc/completion.hpp"
#include "server/registry/registry.hpp"

#include <plugrpc/abi.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>

namespace plugrpc {

class Dispatcher;
namespace call_table {
struct Slot;
}

// What a call produced, before any codec shapes it.
struct Outcome {
    enum class Kind : std::uint8_t {
        Ok,
        MethodError,   // the method's own error text ("divide by zero")
        NotFound,      // unknown service or method (Go's texts)
        IllFormed,     // no dot in the name
        InvalidParams, // arguments do not fit the method's schema
        Internal,      // plugin broke its contract
        Busy,          // over a limit
        Overloaded,    // its method's max_concurrency calls are running: try another server
        Timeout,       // not answered within its call timeout
        Cancelled,     // the server stopped, or the caller went away, before the call was answered
        Refused        // the access rules do not let this peer call it
    };
    Kind kind = Kind::Ok;
    boost::json::value result; // Ok: the reply value, canonical for the reply schema
    // Ok, when the reply holds float32 values: its schema, so that JSON
    // writes them as Go writes a float32 (0.1, not 0.10000000149011612).
    SchemaPtr float32_schema;
    std::string error;         // otherwise: the text for the caller
    bool ok() const { return kind == Kind::Ok; }

    // A call that failed: its kind and the text for the caller.
    static Outcome failure(Kind kind, std::string text) {
        Outcome o;
        o.kind = kind;
        o.error = std::move(text);
        return o;
    }
};

struct Call {
    Call(MethodPtr m, Completion&& d) : method(std::move(m)), done(std::move(d)) {}
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

    MethodPtr method;
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
    // Taken by the argument and reply helpers: a plugin may call them from
    // two threads at once, and they build state in the call.
    std::atomic<bool> helpers_busy{false};

    plugrpc::Completion done;
    Dispatcher* owner = nullptr;            // set by Dispatcher::start
    std::chrono::steady_clock::time_point started;
    // The call's timeout in nanoseconds, looked up when first needed; -1: not yet.
    std::atomic<std::int64_t> timeout_ns{-1};
    // Set before start() when the call's deadline was fixed elsewhere (an
    // isolated plugin's process gets it from the daemon): a steady_clock
    // time, in nanoseconds since its epoch. start() then times the call to
    // it, however long the call waited before it started, and a call
    // whose deadline passed before that is not run. 0: none.
    std::int64_t deadline_at_ns = 0;
    std::atomic<bool> deadline_queued{false}; // in the owner's deadline queue

    // Set by a handler that passed the call on (an isolated plugin's proxy,
    // to its process): run when the call is cancelled because its caller
    // went away, with its method's data and the token the handler chose
    // (the id the process knows the call by), so that where it runs learns
    // it too. The token is stored before the function, which is read first.
    using PassedOn = void (*)(void* method_data, std::uint64_t token);
    std::atomic<PassedOn> passed_on{nullptr};
    std::atomic<std::uint64_t> passed_token{0};

    // In the call table (call_table.hpp).
    plrpc_call* handle = nullptr;
    std::uint32_t slot = 0;
    call_table::Slot* slot_ref = nullptr;
};

} // namespace plugrpc
