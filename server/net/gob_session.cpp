// Go's net/rpc gob protocol on a connection (rpc.Dial, or rpc.DialHTTP after
// the CONNECT). Behaves as Go's server does: one reply header and one body
// per request, errors as Go words them, calls answered as they finish, the
// connection kept across method errors and closed on a broken stream.
#include "wire/gob/decoder.hpp"
#include "wire/gob/encoder.hpp"
#include "server/net/stream_session.hpp"
#include "server/registry/openrpc.hpp"
#include "server/rpc/scratch.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace plugrpc {

namespace {

class GobSession final : public StreamSession {
public:
    GobSession(Connection conn, ReadBuffer buffer, Protocol protocol)
        : StreamSession(std::move(conn), std::move(buffer), protocol),
          dec_(settings().limits.max_message_bytes, &ctx().gob_types) {
        open_access_gate(conn_, gate_);
    }

private:
    bool on_input() override {
        std::string_view bytes = input();
        if (!bytes.empty()) {
            dec_.feed(bytes);
            consume(bytes.size());
        }
        while (!paused()) {
            switch (dec_.next()) {
            case gob::RequestDecoder::Step::NeedMore: return true;
            case gob::RequestDecoder::Step::Header: break; // the body follows
            case gob::RequestDecoder::Step::Body: handle(); break;
            case gob::RequestDecoder::Step::Fatal:
                spdlog::info("{}: gob: {}; closing the connection", peer(), dec_.fatal_error());
                return false;
            }
        }
        return true;
    }

    // Type definitions with no value after them count as a message under
    // way: header_timeout ends a peer that only defines types.
    bool mid_message() const override { return dec_.buffered() > 0 || dec_.types_pending(); }

    void on_input_end() override {
        if (dec_.buffered() > 0)
            spdlog::debug("{}: gob: connection closed inside a message ({} bytes)", peer(), dec_.buffered());
    }

    void handle() {
        std::string method_name = dec_.service_method();
        std::uint64_t seq = dec_.seq();
        if (method_name == kDiscoverMethod) return discover(seq);
        if (gate_) {
            std::string refused = gate_->check(method_name);
            if (!refused.empty()) {
                dec_.skip_body();
                enc_.encode(output(), method_name, seq, refused, nullptr, nullptr);
                return;
            }
        }
        Lookup found = ctx().dispatcher.registry()->find(method_name);
        if (!found.method) {
            if (dec_.body_oversized()) ctx().counters.limit(LimitKind::MessageBytes);
            dec_.skip_body();
            enc_.encode(output(), method_name, seq, found.error, nullptr, nullptr);
            return;
        }
        // The argument is decoded straight into the call's own arena.
        MethodPtr method = found.method;
        auto self = std::static_pointer_cast<GobSession>(shared_from_this());
        Call* call = ctx().dispatcher.prepare(
            std::move(found.method), [self, method, seq, name = method_name](Outcome&& o) mutable {
                auto reply = [self, method, seq, name = std::move(name), o = std::move(o)] {
                    self->enc_.encode_cached(self->output(), name, seq, o.ok() ? "" : o.error, &o.result,
                                             method->reply);
                    self->finish_call({});
                };
                if (self->at_home_now()) return reply();
                self->at_home(std::move(reply));
            });
        if (dec_.body_oversized()) ctx().counters.limit(LimitKind::MessageBytes);
        std::string error;
        {
            // Integers, booleans and plain strings are written as the
            // handler's text at once; the rest is built as a value first.
            Scratch text;
            if (dec_.plain_body_text(method->args, text.text())) call->set_args_text(text.text());
            else error = dec_.body_into(method->args, call->args);
        }
        if (!error.empty()) {
            Dispatcher::abandon(call);
            method->stats->record(0, true);
            enc_.encode(output(), method_name, seq, error, nullptr, nullptr);
            return;
        }
        call_started();
        ctx().dispatcher.start(call);
    }

    // rpc.discover over gob, for a client with no JSON at hand (plugrpc call
    // --proto gob): the OpenRPC document as a string of JSON text, whatever
    // the argument. Go's own server answers "rpc: can't find service".
    void discover(std::uint64_t seq) {
        dec_.skip_body();
        static const Schema kText = [] {
            Schema s;
            s.kind = Kind::String;
            return s;
        }();
        std::function<bool(std::string_view)> shown;
        if (gate_) shown = [this](std::string_view m) { return gate_->visible(m); };
        boost::json::value doc(boost::json::serialize(openrpc_document(*ctx().dispatcher.registry(), shown)));
        enc_.encode(output(), kDiscoverMethod, seq, "", &doc, &kText);
    }

    gob::RequestDecoder dec_;
    gob::ResponseEncoder enc_;
    std::optional<AccessGate> gate_; // when [access] rules apply
};

} // namespace

void start_gob_session(Connection conn, ReadBuffer buffer) {
    Protocol p = conn.gauge && conn.gauge->current() == Protocol::GobHttp ? Protocol::GobHttp : Protocol::Gob;
    std::make_shared<GobSession>(std::move(conn), std::move(buffer), p)->start();
}

} // namespace plugrpc
