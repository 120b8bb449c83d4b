// The dispatcher: from a decoded call to a method of the current registry,
// and back with an Outcome. Every codec ends here.
//
// Fast methods run inline on the calling (I/O) thread; methods registered as
// blocking run on a worker pool. `done` is invoked exactly once, on whichever
// thread the call finished — the session moves it home. A call ends once:
// answered, failed, timed out (call_timeout) or cancelled (join(), or
// cancel() when its caller went away: rpc/caller_calls.hpp); see
// call.hpp for what a plugin may still do with its handle afterwards.
#pragma once

#include "server/rpc/elastic_pool.hpp"
#include "server/rpc/call.hpp"
#include "server/rpc/deadlines.hpp"


#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace plugrpc {

class NumberLiterals;

// How a codec received the argument.
enum class ParamsShape : std::uint8_t {
    Value,      // the argument itself (Go's gob, JSON-RPC 2.0 named params)
    Positional, // JSON-RPC 2.0 by-position: fields of a struct in order, else the only element
    GoValue     // the argument itself from Go's jsonrpc, read as Go's encoding/json: no struct from an array
};

class Dispatcher {
public:
    // Blocking methods run on a pool of `blocking_threads` that grows to
    // `max_blocking_threads` while calls wait, its threads' timed waits
    // ending up to `timer_slack` late (rpc/elastic_pool.hpp).
    explicit Dispatcher(unsigned blocking_threads, unsigned max_blocking_threads = 1024,
                        std::chrono::nanoseconds timer_slack = std::chrono::nanoseconds::zero());
    ~Dispatcher();

    // A session's turn: the calls it starts while handling what one read
    // brought, on its network thread. While one is open, the blocking calls
    // started there queue for the pool, and its close wakes the pool once
    // for all of them (elastic_pool.hpp); `source` (the session) is whose
    // calls they are: while calls wait for a thread, sources take turns.
    // Work deferred with at_turn_end() runs at its close too.
    class Turn {
    public:
        explicit Turn(const void* source) noexcept;
        ~Turn();
        Turn(const Turn&) = delete;
        Turn& operator=(const Turn&) = delete;

    private:
        const void* outer_; // the source of the turn this one is inside
    };

    // Run `run(owner)` when the outermost Turn open on this thread closes
    // (an isolated plugin's channel writes its turn's calls in one send);
    // false, and nothing kept, when no Turn is open.
    static bool at_turn_end(std::shared_ptr<void> owner, void (*run)(void*));

    // Start the blocking calls queued in a Turn (its close does).
    void wake_blocking() { blocking_.wake(); }

    // The snapshot new calls use. publish() swaps it; registry() is read on
    // every call without a shared lock (see dispatcher.cpp).
    void publish(RegistryPtr registry);
    RegistryPtr registry() const;

    // Look up `service_method`, check `params` against the method's argument
    // schema and run it. `literals`: what params' numbers were written as,
    // when they were parsed from JSON text (wire/number_literals.hpp).
    void call(std::string_view service_method, const boost::json::value& params, ParamsShape shape,
              Completion done, const NumberLiterals* literals = nullptr);

    // The plugin method a call() of `service_method` would run now; null
    // when there is none (unknown, or one the dispatcher answers itself).
    MethodPtr plugin_method(std::string_view service_method) const;
    // call() for a `method` already looked up (from plugin_method()).
    void call_method(MethodPtr method, const boost::json::value& params, ParamsShape shape, Completion done,
                     const NumberLiterals* literals = nullptr);
    // The same with arguments already checked against its schema and
    // written in canonical text (server/jsonrpc/plain_args.hpp).
    void call_checked(MethodPtr method, std::string_view args_text, Completion done);

    // For codecs that decode straight into the schema (gob): a call for
    // `method`, whose `args` (in the call's own arena) the codec fills with
    // canonical arguments and then start()s — or drops with abandon() if it
    // cannot (`done` is then never called).
    // start() returns the call's handle, which may name a call that ended
    // while it ran (call_table::is_open() says), or null when the call was
    // refused.
    Call* prepare(MethodPtr method, Completion&& done);
    plrpc_call* start(Call* call);
    static void abandon(Call* call);

    // prepare() and start() in one step, the arguments copied (tests, benchmarks).
    void invoke(MethodPtr method, const boost::json::value& args, Completion done);

    // Beyond this many calls running daemon-wide, new calls fail fast with
    // "server busy" instead of queueing.
    void set_max_inflight(std::size_t n) { max_inflight_.store(n, std::memory_order_relaxed); }

    // Calls refused because max_inflight were running.
    std::uint64_t busy_refusals() const { return busy_.load(std::memory_order_relaxed); }

    // Calls of one method that may run at once: the entry of `by_name` for
    // its "Service.Method", else for its "Service" (0 or none: no limit).
    // Beyond it a call fails at once as Outcome::Kind::Overloaded.
    using ConcurrencyTable = std::map<std::string, std::size_t, std::less<>>;
    void set_max_concurrency(ConcurrencyTable by_name);
    std::size_t max_concurrency(const Method& method) const;
    // Calls refused by max_concurrency, every method together.
    std::uint64_t overload_refusals() const { return overloaded_.load(std::memory_order_relaxed); }

    // Calls cancelled because their caller went away (cancel()).
    std::uint64_t caller_gone_cancels() const { return caller_gone_.load(std::memory_order_relaxed); }

    // Calls running now, daemon-wide.
    std::size_t inflight() const { return inflight_.load(std::memory_order_relaxed); }

    // Call timeouts: `all` for every method, or the entry of `by_name` for
    // its "Service.Method", else for its "Service". Zero: no deadline. Calls
    // already running keep the one they have.
    using TimeoutTable = std::map<std::string, std::chrono::milliseconds, std::less<>>;
    void set_call_timeouts(std::chrono::milliseconds all, TimeoutTable by_name);
    std::chrono::nanoseconds call_timeout(const Method& method) const;

    // End `call`, to which the caller holds a reference, with `outcome`:
    // counts it, frees its place among the calls in flight and hands the
    // outcome to `done`. False (nothing done) when it had already ended.
    static bool finish(Call* call, Outcome&& outcome);
    // The caller of the call `handle` names went away (`why`): end it as
    // Cancelled, and tell where it was passed on (Call::passed_on). False
    // when the handle names no open call (it ended already).
    static bool cancel(plrpc_call* handle, std::string_view why);
    // Time left before `call`'s deadline: never negative; max() when it has none.
    static std::chrono::nanoseconds remaining(Call* call);
    // When `call`'s deadline falls (its start plus its timeout), read off
    // no clock; time_point::max() when it has none.
    static std::chrono::steady_clock::time_point deadline(Call* call);
    // What a call gets at its deadline: a Timeout naming its method and its
    // call timeout (also for one timed out in an isolated plugin's process,
    // which knows only when the deadline falls).
    static Outcome timed_out(Call* call);

    // At shutdown, after the network threads stopped: cancel every call
    // still waiting for its answer (its `done` gets Kind::Cancelled),
    // discard blocking calls not yet started, stop the deadline thread and
    // wait for handlers still running on the pool.
    void join();

private:
    // Resolve the per-method tables (max_concurrency, call timeouts) into
    // each method's MethodStats, by name, once: a call reads its method's
    // figures without a lock or a lookup.
    void resolve_per_method(const Registry& registry);
    void run(Call* call, bool queued);
    void queue_deadline(Call* call);
    void expire(plrpc_call* handle);
    // A blocking call on its way to the pool. Dropped without running (the
    // pool stopped), it lets go of the call; join() has ended it before.
    struct Job {
        Dispatcher* self;
        Call* call;
        Job(Dispatcher* d, Call* c) : self(d), call(c) {}
        Job(Job&& o) noexcept;
        Job& operator=(Job&&) = delete;
        ~Job();
        void operator()();
    };

    mutable std::mutex registry_mu_;
    RegistryPtr registry_;
    std::atomic<std::uint64_t> generation_; // unique over every Dispatcher; changes on publish
    ElasticPool<Job> blocking_;
    std::atomic<std::size_t> inflight_{0};
    std::atomic<std::size_t> max_inflight_{100000};
    std::atomic<std::uint64_t> busy_{0};
    std::atomic<std::int64_t> call_timeout_ns_{0};
    std::atomic<std::uint64_t> overloaded_{0};
    std::atomic<std::uint64_t> caller_gone_{0};
    std::mutex tables_mu_; // the tables below, and resolving them
    TimeoutTable method_timeouts_;
    ConcurrencyTable max_concurrency_;
    std::once_flag joined_;
    DeadlineQueue deadlines_{[this](plrpc_call* h) { expire(h); }};
};

// "300ms", "2s", "1m30s": a limit as the config would write it.
std::string duration_text(std::chrono::nanoseconds d);

// The table of host functions handed to every plugin.
const plrpc_host_v1* host_table();

} // namespace plugrpc
