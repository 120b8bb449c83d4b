#include "server/rpc/dispatcher.hpp"

#include "server/registry/openrpc.hpp"
#include "wire/json_text.hpp"
#include "server/rpc/scratch.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

namespace plugrpc {
namespace json = boost::json;

void release_call(plrpc_call* call) {
    if (call->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete call;
}

bool answer_call(plrpc_call* call, Outcome&& outcome) {
    if (call->answered.exchange(true, std::memory_order_acq_rel)) return false;
    MethodStats& s = *call->method->stats;
    s.inflight.fetch_sub(1, std::memory_order_relaxed);
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                   call->started);
    s.record(static_cast<std::uint64_t>(ns.count()), !outcome.ok());
    if (call->inflight) call->inflight->fetch_sub(1, std::memory_order_relaxed);
    Completion done = std::move(call->done);
    release_call(call);
    done(std::move(outcome));
    return true;
}

namespace {
// Registry generations are unique across dispatchers, so a thread's cached
// snapshot can never be mistaken for another dispatcher's.
std::atomic<std::uint64_t> g_generations{0};
} // namespace

Dispatcher::Dispatcher(unsigned blocking_threads)
    : generation_(++g_generations), blocking_(blocking_threads ? blocking_threads : 4) {}

void Dispatcher::publish(RegistryPtr registry) {
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

void Dispatcher::join() { blocking_.join(); }

namespace {

Outcome failure(Outcome::Kind kind, std::string text) {
    Outcome o;
    o.kind = kind;
    o.error = std::move(text);
    return o;
}

} // namespace

void Dispatcher::call(std::string_view service_method, const json::value& params, ParamsShape shape,
                      Completion done) {
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
        done(failure(kind, std::move(found.error)));
        return;
    }
    call_method(std::move(found.method), params, shape, std::move(done));
}

void Dispatcher::call_method(MethodPtr method, const json::value& params, ParamsShape shape, Completion done) {
    const Schema& schema = *method->args;
    const json::value* arg = &params;
    if (shape == ParamsShape::Positional && schema.kind != Kind::Struct) {
        static const json::value null_value;
        const auto& a = params.get_array();
        arg = a.empty() ? &null_value : &a[0];
    }
    // Checked and written as the handler's text in one pass; no value is
    // built unless the plugin asks for fields (host_api.cpp).
    Scratch text;
    std::string error = normalize_text(*arg, schema, text.text());
    if (!error.empty()) {
        method->stats->record(0, true);
        done(failure(Outcome::Kind::InvalidParams, std::move(error)));
        return;
    }
    call_checked(std::move(method), text.text(), std::move(done));
}

MethodPtr Dispatcher::plugin_method(std::string_view service_method) const {
    if (service_method == kDiscoverMethod) return nullptr;
    return registry()->find(service_method).method;
}

void Dispatcher::call_checked(MethodPtr method, std::string_view args_text, Completion done) {
    plrpc_call* c = prepare(std::move(method), std::move(done));
    c->set_args_text(args_text);
    start(c);
}

plrpc_call* Dispatcher::prepare(MethodPtr method, Completion&& done) {
    return new plrpc_call(std::move(method), std::move(done));
}

void Dispatcher::abandon(plrpc_call* call) { delete call; }

void Dispatcher::invoke(MethodPtr method, const json::value& args, Completion done) {
    plrpc_call* c = prepare(std::move(method), std::move(done));
    c->args = args;
    c->args_built = true;
    start(c);
}

void Dispatcher::start(plrpc_call* c) {
    MethodStats& stats = *c->method->stats;
    if (inflight_.fetch_add(1, std::memory_order_relaxed) >= max_inflight_.load(std::memory_order_relaxed)) {
        inflight_.fetch_sub(1, std::memory_order_relaxed);
        busy_.fetch_add(1, std::memory_order_relaxed);
        stats.record(0, true);
        Completion refused = std::move(c->done);
        abandon(c);
        refused(failure(Outcome::Kind::Busy, "server busy: " + std::to_string(max_inflight_.load()) +
                                                 " calls are running; try again later"));
        return;
    }
    stats.inflight.fetch_add(1, std::memory_order_relaxed);
    c->inflight = &inflight_;
    c->started = std::chrono::steady_clock::now();
    if (c->method->blocking()) boost::asio::post(blocking_, [this, c] { run(c); });
    else run(c);
}

void Dispatcher::run(plrpc_call* c) {
    const Method& m = *c->method;
    int rc;
    if (!c->args_text.empty()) {
        rc = m.handler(m.method_data, c, c->args_text.data(), c->args_text.size());
    } else {
        // The arguments as text, valid while the handler runs.
        Scratch args;
        append_json(args.text(), c->args);
        rc = m.handler(m.method_data, c, args.text().data(), args.text().size());
    }
    if (!c->answered.load(std::memory_order_acquire) && rc != PLRPC_PENDING) {
        std::string why = rc == PLRPC_OK ? "returned without answering"
                                         : "failed with code " + std::to_string(rc) + " without answering";
        answer_call(c, failure(Outcome::Kind::Internal, m.full_name + ": the method " + why));
    }
    release_call(c);
}

} // namespace plugrpc
