#include "codec/jsonrpc/serve.hpp"

#include <atomic>
#include <memory>
#include <vector>

namespace plugrpc::jsonrpc {
namespace {

// The replies of a batch, each written once by the thread that finished its
// call; the last one to finish joins them.
struct Batch {
    std::vector<Request> requests;
    std::vector<std::string> parts; // empty for notifications
    std::atomic<std::size_t> pending{0};
    std::function<void(std::string)> done;

    void finish(std::size_t slot, std::string text) {
        if (!requests[slot].notification) parts[slot] = std::move(text);
        if (pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        std::string out;
        for (auto& p : parts) {
            if (p.empty()) continue;
            out += out.empty() ? '[' : ',';
            out += p;
        }
        if (!out.empty()) out += ']';
        done(std::move(out));
    }
};

struct Single {
    Request req;
    std::function<void(std::string)> done;
};

} // namespace

void serve_message(Dispatcher& dispatcher, std::string_view text, const DecodeLimits& limits,
                   std::function<void(std::string)> done) {
    Message m = decode(text, limits);
    if (m.error_code) {
        std::string out;
        encode_error(out, Dialect::V2, nullptr, m.error_code, m.error);
        done(std::move(out));
        return;
    }
    if (!m.batch) {
        Request& first = m.requests[0];
        if (first.error_code) {
            std::string out;
            if (!first.notification) encode_error(out, first.dialect, first.id, first.error_code, first.error);
            done(std::move(out));
            return;
        }
        // One allocation holds what the reply needs; the completion is a
        // single pointer, small enough to live inside the std::function.
        auto single = std::make_shared<Single>(Single{std::move(first), std::move(done)});
        const Request& req = single->req;
        dispatcher.call(req.method, req.params, req.shape, [single](Outcome&& o) {
            std::string out;
            if (!single->req.notification) encode_reply(out, single->req, o);
            single->done(std::move(out));
        });
        return;
    }
    auto batch = std::make_shared<Batch>();
    batch->requests = std::move(m.requests);
    batch->parts.resize(batch->requests.size());
    batch->pending = batch->requests.size();
    batch->done = std::move(done);
    for (std::size_t i = 0; i < batch->requests.size(); ++i) {
        const Request& req = batch->requests[i];
        if (req.error_code) {
            std::string out;
            encode_error(out, req.dialect, req.id, req.error_code, req.error);
            batch->finish(i, std::move(out));
            continue;
        }
        dispatcher.call(req.method, req.params, req.shape, [batch, i](Outcome&& o) {
            std::string out;
            encode_reply(out, batch->requests[i], o);
            batch->finish(i, std::move(out));
        });
    }
}

} // namespace plugrpc::jsonrpc
