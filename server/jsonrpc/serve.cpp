#include "server/jsonrpc/serve.hpp"

#include "server/jsonrpc/plain_args_reader.hpp"
#include "server/registry/openrpc.hpp"
#include "server/rpc/access_gate.hpp"
#include "server/rpc/scratch.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <atomic>
#include <memory>
#include <utility>
#include <vector>

namespace plugrpc::jsonrpc {
namespace json = boost::json;
namespace {

// The replies of a batch, each written once by the thread that finished its
// call; the last one to finish joins them.
struct Batch {
    std::vector<std::string> parts; // empty for notifications
    std::atomic<std::size_t> pending{0};
    ReplyDone done;

    void finish(std::size_t slot, std::string text) {
        parts[slot] = std::move(text);
        if (pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        Scratch out;
        for (auto& p : parts) {
            if (p.empty()) continue;
            out.text() += out.text().empty() ? '[' : ',';
            out.text() += p;
        }
        if (!out.text().empty()) out.text() += ']';
        done(out.text(), Outcome::Kind::Ok);
    }
};

// What the access rules answer instead of running the call: a refusal, or
// rpc.discover's document cut to what the peer may call.
std::optional<Outcome> screen(AccessGate* gate, Dispatcher& dispatcher, std::string_view method) {
    if (!gate) return std::nullopt;
    Outcome o;
    if (method == kDiscoverMethod) {
        o.result = openrpc_document(*dispatcher.registry(), [gate](std::string_view m) { return gate->visible(m); });
        return o;
    }
    o.error = gate->check(method);
    if (o.error.empty()) return std::nullopt;
    o.kind = Outcome::Kind::Refused;
    return o;
}

void serve_one(Dispatcher& dispatcher, Request& req, PlainArgsReader& args, const NumberLiterals& literals, ReplyDone done,
               AccessGate* gate) {
    if (req.error_code) {
        if (req.body_error) { // Go's server finds the method before it reads params
            RegistryPtr registry = dispatcher.registry();
            Lookup found = registry ? registry->find(req.name()) : Lookup{};
            if (!found.method && !found.error.empty() && req.name() != kDiscoverMethod) req.error = found.error;
        }
        Scratch out;
        if (!req.notification) encode_error(out.text(), req.dialect, RawId{req.id_text}, req.error_code, req.error);
        done(out.text(), Outcome::Kind::IllFormed);
        return;
    }
    // What the reply needs of the request is moved into the completion,
    // which the call holds in place (rpc/completion.hpp): no allocation.
    auto reply = [dialect = req.dialect, notification = req.notification, id = std::move(req.id_text),
                  done = std::move(done)](Outcome&& o) {
        Scratch out;
        if (!notification) encode_reply(out.text(), dialect, RawId{id}, o);
        done(out.text(), o.kind);
    };
    if (auto screened = screen(gate, dispatcher, req.name())) return reply(std::move(*screened));
    MethodPtr method = args.method_for(req.name());
    if (req.args_read) dispatcher.call_checked(std::move(method), args.text(), std::move(reply));
    else if (method) dispatcher.call_method(std::move(method), *req.params, req.shape, std::move(reply), &literals);
    else dispatcher.call(req.name(), *req.params, req.shape, std::move(reply), &literals);
}

void serve_batch(Dispatcher& dispatcher, Requests& requests, const NumberLiterals& literals, ReplyDone done,
                 AccessGate* gate) {
    auto batch = std::make_shared<Batch>();
    batch->parts.resize(requests.size());
    batch->pending = requests.size();
    batch->done = std::move(done);
    bool discovered = false; // the document goes once per batch: it may be megabytes
    for (std::size_t i = 0; i < requests.size(); ++i) {
        Request& req = requests[i];
        if (!req.error_code && req.name() == kDiscoverMethod && std::exchange(discovered, true)) {
            req.error_code = ServerBusy;
            req.error = "rpc.discover: once per batch (the document is in the reply to the first)";
        }
        if (req.error_code) {
            std::string out;
            if (!req.notification) encode_error(out, req.dialect, RawId{req.id_text}, req.error_code, req.error);
            batch->finish(i, std::move(out));
            continue;
        }
        auto reply = [batch, i, dialect = req.dialect, notification = req.notification,
                      id = std::move(req.id_text)](Outcome&& o) {
            std::string out;
            if (!notification) encode_reply(out, dialect, RawId{id}, o);
            batch->finish(i, std::move(out));
        };
        if (auto screened = screen(gate, dispatcher, req.name())) {
            reply(std::move(*screened));
            continue;
        }
        dispatcher.call(req.name(), *req.params, req.shape, std::move(reply), &literals);
    }
}

} // namespace

std::optional<Dialect> serve_message(Dispatcher& dispatcher, std::string_view text, const DecodeLimits& limits,
                                     ReplyDone done, Dialect unreadable, AccessGate* gate) {
    constexpr std::string_view kBom = "\xEF\xBB\xBF"; // RFC 8259 §8.1: a parser may ignore it
    if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
    // The message is parsed into stack memory: it is needed only until every
    // call has started (what a reply needs is copied out of it). A usual
    // request's arguments skip the value: read as text into a scratch buffer.
    unsigned char arena_block[4096];
    json::monotonic_resource arena(arena_block, sizeof arena_block);
    Scratch args_text;
    PlainArgsReader args(dispatcher, args_text.text());
    Message m = decode(text, limits, &arena, &args);
    if (m.error_code) {
        // A batch's own faults (empty, too long) are 2.0's: only 2.0 has batches.
        Scratch out;
        encode_error(out.text(), m.batch ? Dialect::V2 : unreadable, nullptr, m.error_code, m.error);
        done(out.text(), Outcome::Kind::IllFormed);
        return std::nullopt;
    }
    NumberLiterals literals = m.literals(); // read only if an integer is given as a double
    if (m.batch) {
        serve_batch(dispatcher, m.requests, literals, std::move(done), gate);
        return Dialect::V2;
    }
    Request& req = m.requests[0];
    std::optional<Dialect> shown;
    if (!req.error_code || req.dialect == Dialect::V2) shown = req.dialect;
    serve_one(dispatcher, req, args, literals, std::move(done), gate);
    return shown;
}

} // namespace plugrpc::jsonrpc
