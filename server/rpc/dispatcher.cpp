#include "server/rpc/dispatcher.hpp"

#include "server/registry/openrpc.hpp"
#include "server/rpc/call_table.hpp"
#include "server/rpc/caller_calls.hpp"
#include "server/rpc/non_finite.hpp"
#include <plugrpc/json_write.hpp>
#include "server/rpc/scratch.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <vector>

namespace plugrpc {
namespace json = boost::json;

std::string duration_text(std::chrono::nanoseconds d) {
    using namespace std::chrono;
    auto n = d.count();
    if (n % 1000000000 == 0) {
        auto s = n / 1000000000;
        if (s >= 60 && s % 60 == 0) return std::to_string(s / 60) + "m";
        if (s > 60) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
        return std::to_string(s) + "s";
    }
    if (n % 1000000 == 0) return std::to_string(n / 1000000) + "ms";
    return std::to_string(n / 1000) + "us";
}

bool Dispatcher::finish(Call* call, Outcome&& outcome) {
    if (!call_table::end(call)) return false;
    MethodStats& s = *call->method->stats;
    s.inflight.fetch_sub(1, std::memory_order_relaxed);
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                   call->started);
    s.record(static_cast<std::uint64_t>(ns.count()), !outcome.ok());
    Dispatcher& d = *call->owner;
    d.inflight_.fetch_sub(1, std::memory_order_relaxed);
    if (call->deadline_queued.load(std::memory_order_relaxed) && outcome.kind != Outcome::Kind::Timeout)
        d.deadlines_.ended();
    Completion done = std::move(call->done);
    done(std::move(outcome));
    return true;
}

namespace {
// Registry generations are unique across dispatchers, so a thread's cached
// snapshot can never be mistaken for another dispatcher's.
std::atomic<std::uint64_t> g_generations{0};
} // namespace

Dispatcher::Dispatcher(unsigned blocking_threads, unsigned max_blocking_threads, std::chrono::nanoseconds timer_slack)
    : generation_(++g_generations),
      blocking_(blocking_threads ? blocking_threads : 4, max_blocking_threads, std::chrono::seconds(10), timer_slack) {}

void Dispatcher::publish(RegistryPtr registry) {
    if (registry) resolve_per_method(*registry);
    std::lock_guard lock(registry_mu_);
    registry_ = std::move(registry);
    generation_.store(++g_generations, std::memory_order_release);
}

// Each thread remembers the snapshot it last saw, weakly (an old snapshot
// and its plugins are freed as soon as no call holds them), and takes the
// lock only when publish() has moved the generation on.
RegistryPtr Dispatcher::registry() const {
    struct Seen {
        std::uint64_t generation = 0;
        std::weak_ptr<const Registry> snapshot;
    };
    thread_local Seen seen;
    std::uint64_t now = generation_.load(std::memory_order_acquire);
    if (seen.generation == now)
        if (RegistryPtr r = seen.snapshot.lock()) return r;
    std::lock_guard lock(registry_mu_);
    seen.generation = generation_.load(std::memory_order_relaxed);
    seen.snapshot = registry_;
    return registry_;
}

Dispatcher::~Dispatcher() { join(); }


void Dispatcher::call(std::string_view service_method, const json::value& params, ParamsShape shape,
                      Completion done, const NumberLiterals* literals) {
    RegistryPtr reg = registry();
    if (service_method == kDiscoverMethod) {
        Outcome o;
        o.result = openrpc_document(*reg);
        done(std::move(o));
        return;
    }
    Lookup found = reg->find(service_method);
    if (!found.method) {
        auto kind = found.miss == Lookup::Miss::IllFormed ? Outcome::Kind::IllFormed : Outcome::Kind::NotFound;
        done(Outcome::failure(kind, std::move(found.error)));
        return;
    }
    call_method(std::move(found.method), params, shape, std::move(done), literals);
}

void Dispatcher::call_method(MethodPtr method, const json::value& params, ParamsShape shape, Completion done,
                             const NumberLiterals* literals) {
    const Schema& schema = *method->args;
    const json::value* arg = &params;
    // An argument of any JSON (Kind::Any) is the params as sent, array or object.
    if (shape == ParamsShape::Positional && schema.kind != Kind::Struct && schema.kind != Kind::Any) {
        // The one argument by position: [v]. More or fewer is refused, as
        // more than a struct's fields are (wire/schema.cpp).
        const auto& a = params.get_array();
        if (a.size() != 1) {
            method->stats->record(0, true);
            done(Outcome::failure(Outcome::Kind::InvalidParams, "params: expected 1 positional value for " + type_name(schema) +
                                                           ", got " + std::to_string(a.size())));
            return;
        }
        arg = &a[0];
    }
    // Checked and written as the handler's text in one pass; no value is
    // built unless the plugin asks for fields (host_api.cpp).
    Scratch text;
    NormalizeOptions opt;
    opt.struct_from_array = shape != ParamsShape::GoValue;
    opt.go_arrays = shape == ParamsShape::GoValue;
    opt.exact_integers = shape != ParamsShape::GoValue;
    opt.literals = literals;
    std::string error = normalize_text(*arg, schema, text.text(), opt);
    if (!error.empty()) {
        method->stats->record(0, true);
        done(Outcome::failure(Outcome::Kind::InvalidParams, std::move(error)));
        return;
    }
    call_checked(std::move(method), text.text(), std::move(done));
}

MethodPtr Dispatcher::plugin_method(std::string_view service_method) const {
    if (service_method == kDiscoverMethod) return nullptr;
    return registry()->find(service_method).method;
}

void Dispatcher::call_checked(MethodPtr method, std::string_view args_text, Completion done) {
    Call* c = prepare(std::move(method), std::move(done));
    c->set_args_text(args_text);
    start(c);
}

Call* Dispatcher::prepare(MethodPtr method, Completion&& done) {
    return new Call(std::move(method), std::move(done));
}

void Dispatcher::abandon(Call* call) { delete call; }

void Dispatcher::invoke(MethodPtr method, const json::value& args, Completion done) {
    Call* c = prepare(std::move(method), std::move(done));
    c->args = args;
    c->args_built = true;
    start(c);
}

Dispatcher::Job::Job(Job&& o) noexcept : self(o.self), call(std::exchange(o.call, nullptr)) {}
Dispatcher::Job::~Job() {
    if (call) call_table::release(call);
}
void Dispatcher::Job::operator()() { self->run(std::exchange(call, nullptr), true); }

namespace {
thread_local int t_turns = 0;                    // Turn scopes open on this thread
thread_local const void* t_source = nullptr;     // the innermost one's source
thread_local std::vector<Dispatcher*> t_to_wake; // whose pool they queued calls for
struct TurnEnd {
    std::shared_ptr<void> owner;
    void (*run)(void*);
};
thread_local std::vector<TurnEnd> t_turn_end;    // at_turn_end()'s, in order

// Start the blocking calls queued on this thread so far.
void wake_queued() {
    for (Dispatcher* d : t_to_wake) d->wake_blocking(); // only hands tasks over: nothing re-enters here
    t_to_wake.clear(); // its capacity kept: no allocation per turn
}
} // namespace

Dispatcher::Turn::Turn(const void* source) noexcept : outer_(t_source) {
    ++t_turns;
    t_source = source;
}

Dispatcher::Turn::~Turn() {
    t_source = outer_;
    if (--t_turns != 0) return;
    if (!t_to_wake.empty()) wake_queued();
    if (t_turn_end.empty()) return;
    // What they defer meanwhile waits for the next turn; the capacity is kept.
    std::vector<TurnEnd> now;
    now.swap(t_turn_end);
    for (auto& e : now) e.run(e.owner.get());
    now.clear();
    if (t_turn_end.empty()) t_turn_end.swap(now);
}

bool Dispatcher::at_turn_end(std::shared_ptr<void> owner, void (*run)(void*)) {
    if (t_turns == 0) return false;
    t_turn_end.push_back({std::move(owner), run});
    return true;
}

plrpc_call* Dispatcher::start(Call* c) {
    MethodStats& stats = *c->method->stats;
    auto refuse = [&](std::string why) -> plrpc_call* {
        inflight_.fetch_sub(1, std::memory_order_relaxed);
        busy_.fetch_add(1, std::memory_order_relaxed);
        stats.record(0, true);
        Completion refused = std::move(c->done);
        abandon(c);
        refused(Outcome::failure(Outcome::Kind::Busy, std::move(why)));
        return nullptr;
    };
    if (inflight_.fetch_add(1, std::memory_order_relaxed) >= max_inflight_.load(std::memory_order_relaxed))
        return refuse("server busy: " + std::to_string(max_inflight_.load()) +
                      " calls are running; try again later");
    // The method's place is taken here and given back by finish(), on
    // whatever path the call ends (answer, error, timeout, cancel).
    if (std::size_t limit = max_concurrency(*c->method); limit > 0) {
        auto running = stats.inflight.fetch_add(1, std::memory_order_relaxed);
        if (running >= static_cast<std::int64_t>(limit)) {
            stats.inflight.fetch_sub(1, std::memory_order_relaxed);
            inflight_.fetch_sub(1, std::memory_order_relaxed);
            overloaded_.fetch_add(1, std::memory_order_relaxed);
            stats.overloaded.fetch_add(1, std::memory_order_relaxed);
            stats.record(0, true);
            std::string why = "plugrpc: " + c->method->full_name + " overloaded: " + std::to_string(running) +
                              " calls in flight (max_concurrency " + std::to_string(limit) + ")";
            Completion refused = std::move(c->done);
            abandon(c);
            refused(Outcome::failure(Outcome::Kind::Overloaded, std::move(why)));
            return nullptr;
        }
    } else {
        stats.inflight.fetch_add(1, std::memory_order_relaxed);
    }
    c->owner = this;
    c->started = std::chrono::steady_clock::now();
    bool past = false; // its deadline passed before it could start
    if (c->deadline_at_ns > 0) {
        std::int64_t left = c->deadline_at_ns - c->started.time_since_epoch().count();
        past = left <= 0;
        c->timeout_ns.store(std::max<std::int64_t>(1, left), std::memory_order_relaxed);
    }
    if (!call_table::open(c)) {
        stats.inflight.fetch_sub(1, std::memory_order_relaxed);
        return refuse("server busy: no room for another call; try again later");
    }
    plrpc_call* handle = c->handle;
    if (past) {
        // Its caller was answered already (in an isolated plugin's
        // process, it waited behind a slow call): it is not run, as a
        // queued call whose deadline passes is not.
        finish(c, timed_out(c));
        call_table::release(c);
        return handle;
    }
    if (c->method->blocking()) {
        // Queued calls time out too: the deadline runs from now. And they
        // wait: cancelled if their caller goes away meanwhile.
        queue_deadline(c);
        if (CallerCalls* caller = CallerCalls::current()) caller->add(handle);
        if (t_turns == 0) {
            blocking_.post(Job(this, c));
            return handle;
        }
        blocking_.post_quiet(Job(this, c), t_source);
        if (std::find(t_to_wake.begin(), t_to_wake.end(), this) == t_to_wake.end()) t_to_wake.push_back(this);
    } else {
        // A method run here may take its time: the blocking calls queued
        // before it in this turn start first, not after it.
        if (!t_to_wake.empty()) wake_queued();
        run(c, false);
    }
    return handle;
}

namespace {
// A handler threw: the call fails, naming the method (cold).
[[gnu::noinline, gnu::cold]] void fail_thrown(Call* c, const char* what) {
    const Method& m = *c->method;
    std::string text = what ? what : "";
    spdlog::warn("{}: the method threw an exception through the plugin ABI{}{}", m.full_name,
                 text.empty() ? "" : ": ", text);
    Dispatcher::finish(c, Outcome::failure(Outcome::Kind::Internal, m.full_name + ": the method threw an exception" +
                                                              (text.empty() ? "" : ": " + text)));
}
} // namespace

void Dispatcher::run(Call* c, bool queued) {
    if (queued && !call_table::is_open(c)) { // ended while it waited for the pool
        call_table::release(c);
        return;
    }
    const Method& m = *c->method;
    int rc = PLRPC_OK;
    Call* outer = std::exchange(call_table::t_running, c); // a handler may call in again
    try {
        if (!c->args_text.empty()) {
            rc = m.handler(m.method_data, c->handle, c->args_text.data(), c->args_text.size());
        } else {
            if (m.args_form == TextForm::Standard) {
                if (std::string why = non_finite_field(c->args); !why.empty()) {
                    call_table::t_running = outer;
                    finish(c, Outcome::failure(Outcome::Kind::InvalidParams, std::move(why)));
                    call_table::release(c);
                    return;
                }
            }
            // The arguments as text in the plugin's form, valid while the handler runs.
            Scratch args;
            append_json_text(args.text(), c->args, m.args_form);
            rc = m.handler(m.method_data, c->handle, args.text().data(), args.text().size());
        }
    } catch (const std::exception& e) {
        call_table::t_running = outer;
        fail_thrown(c, e.what());
        call_table::release(c);
        return;
    } catch (...) {
        call_table::t_running = outer;
        fail_thrown(c, nullptr);
        call_table::release(c);
        return;
    }
    call_table::t_running = outer;
    if (rc == PLRPC_PENDING) {
        if (call_table::is_open(c)) {
            queue_deadline(c);
            // Run at once on its caller's thread, it waits for its answer
            // (a queued one was added when it was queued).
            if (CallerCalls* caller = queued ? nullptr : CallerCalls::current()) caller->add(c->handle);
        }
    } else if (call_table::is_open(c)) {
        std::string why = rc == PLRPC_OK ? "returned without answering"
                                         : "failed with code " + std::to_string(rc) + " without answering";
        finish(c, Outcome::failure(Outcome::Kind::Internal, m.full_name + ": the method " + why));
    }
    call_table::release(c);
}

// ---- deadlines ---------------------------------------------------------------

void Dispatcher::set_call_timeouts(std::chrono::milliseconds all, TimeoutTable by_name) {
    call_timeout_ns_.store(std::chrono::nanoseconds(all).count(), std::memory_order_relaxed);
    {
        std::lock_guard lock(tables_mu_);
        method_timeouts_ = std::move(by_name);
    }
    if (RegistryPtr reg = registry()) resolve_per_method(*reg);
}

std::chrono::nanoseconds Dispatcher::call_timeout(const Method& m) const {
    std::int64_t own = m.stats->timeout_ns.load(std::memory_order_relaxed);
    return std::chrono::nanoseconds(own >= 0 ? own : call_timeout_ns_.load(std::memory_order_relaxed));
}

void Dispatcher::set_max_concurrency(ConcurrencyTable by_name) {
    {
        std::lock_guard lock(tables_mu_);
        max_concurrency_ = std::move(by_name);
    }
    if (RegistryPtr reg = registry()) resolve_per_method(*reg);
}

// An entry for "Service.Method", else for "Service".
template <class Table>
static auto entry_for(const Table& table, const Method& m) {
    auto it = table.find(m.full_name);
    return it != table.end() ? it : table.find(m.service);
}

void Dispatcher::resolve_per_method(const Registry& reg) {
    std::lock_guard lock(tables_mu_);
    for (const auto& [service_name, service] : reg.services())
        for (const auto& [name, m] : service.methods) {
            auto limit = entry_for(max_concurrency_, *m);
            m->stats->max_concurrency.store(limit == max_concurrency_.end() ? 0 : limit->second,
                                            std::memory_order_relaxed);
            auto timeout = entry_for(method_timeouts_, *m);
            m->stats->timeout_ns.store(timeout == method_timeouts_.end()
                                           ? -1
                                           : std::chrono::nanoseconds(timeout->second).count(),
                                       std::memory_order_relaxed);
        }
}

std::size_t Dispatcher::max_concurrency(const Method& m) const {
    return m.stats->max_concurrency.load(std::memory_order_relaxed);
}

namespace {
// The call's timeout, fixed the first time anyone asks.
std::chrono::nanoseconds timeout_of(Call* c) {
    std::int64_t t = c->timeout_ns.load(std::memory_order_relaxed);
    if (t < 0) {
        t = c->owner->call_timeout(*c->method).count();
        c->timeout_ns.store(t, std::memory_order_relaxed);
    }
    return std::chrono::nanoseconds(t);
}
} // namespace

std::chrono::nanoseconds Dispatcher::remaining(Call* c) {
    auto t = timeout_of(c);
    if (t.count() <= 0) return std::chrono::nanoseconds::max();
    auto left = c->started + t - std::chrono::steady_clock::now();
    return std::max(std::chrono::nanoseconds(0), std::chrono::duration_cast<std::chrono::nanoseconds>(left));
}

std::chrono::steady_clock::time_point Dispatcher::deadline(Call* c) {
    auto t = timeout_of(c);
    if (t.count() <= 0) return std::chrono::steady_clock::time_point::max();
    return c->started + t;
}

void Dispatcher::queue_deadline(Call* c) {
    auto t = timeout_of(c);
    if (t.count() <= 0 || c->deadline_queued.exchange(true, std::memory_order_relaxed)) return;
    deadlines_.add(c->started + t, c->handle);
}

Outcome Dispatcher::timed_out(Call* c) {
    return Outcome::failure(Outcome::Kind::Timeout, c->method->full_name + ": not answered within the call timeout (" +
                                                        duration_text(timeout_of(c)) + ")");
}

bool Dispatcher::cancel(plrpc_call* handle, std::string_view why) {
    Call* c = call_table::acquire(handle);
    if (!c) return false; // answered, failed or timed out already
    bool ended = finish(c, Outcome::failure(Outcome::Kind::Cancelled,
                                            c->method->full_name + ": cancelled: " + std::string(why)));
    if (ended) {
        c->owner->caller_gone_.fetch_add(1, std::memory_order_relaxed);
        // The method (and the data its handler was given) lives while the call is held.
        if (Call::PassedOn told = c->passed_on.load(std::memory_order_acquire))
            told(c->method->method_data, c->passed_token.load(std::memory_order_relaxed));
    }
    call_table::release(c);
    return ended;
}

void Dispatcher::expire(plrpc_call* handle) {
    Call* c = call_table::acquire(handle);
    if (!c) return; // answered in time
    finish(c, timed_out(c));
    call_table::release(c);
}

// ---- stopping ------------------------------------------------------------------

void Dispatcher::join() {
    std::call_once(joined_, [this] {
        call_table::for_each_open([this](plrpc_call* h) {
            Call* c = call_table::acquire(h);
            if (!c) return;
            if (c->owner == this)
                finish(c, Outcome::failure(Outcome::Kind::Cancelled,
                                  c->method->full_name + ": the server stopped before the method answered"));
            call_table::release(c);
        });
        deadlines_.stop();
        blocking_.stop();
        blocking_.join();
    });
}

} // namespace plugrpc
