// A JSON-RPC stream over TCP or a unix socket: Go's jsonrpc codec and
// JSON-RPC 2.0 on the same connection. Values come back to back; each reply
// ends with a newline; calls may finish out of order (ids match them).
//
// Each request is answered in its own dialect. A value over
// max_message_bytes is skipped as it arrives, without being kept, and
// answered with its id (jsonrpc/value_skipper.hpp); the connection goes on.
// What cannot be read as a request (not JSON, mismatched brackets, nested
// deeper than max_json_depth) is answered in the connection's dialect, and
// the connection closes: that of its
// first request that could be read, or, before one, a guess from the
// failing bytes (guess_dialect). Go's client shuts down on a 2.0 error
// object; a 2.0 client expects one.
#include "wire/jsonrpc/framer.hpp"
#include "wire/jsonrpc/value_skipper.hpp"
#include "server/jsonrpc/serve.hpp"
#include "server/net/stream_session.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

#include <optional>

namespace plugrpc {
using namespace jsonrpc;

namespace {

class JsonSession final : public StreamSession {
public:
    JsonSession(Connection conn, ReadBuffer buffer)
        : StreamSession(std::move(conn), std::move(buffer), Protocol::Json),
          framer_(settings().limits.max_message_bytes, settings().limits.max_json_depth),
          limits_{settings().limits.max_json_depth, settings().limits.max_batch, settings().jsonrpc_default_service} {
        open_access_gate(conn_, gate_);
    }

private:
    bool on_input() override {
        while (!paused()) {
            std::string_view data = input();
            if (skipper_) {
                Skip s = skip(data);
                if (s != Skip::Answered) return s == Skip::Going;
                continue;
            }
            std::size_t begin = 0, end = 0;
            Framer::Status st = framer_.next(data, begin, end);
            if (st == Framer::Status::NeedMore) return true;
            if (st == Framer::Status::TooLarge) {
                start_skip(framer_.value_begin());
                continue;
            }
            if (st != Framer::Status::Complete) return fail(st);
            handle(data.substr(begin, end - begin));
            consume(end);
        }
        return true;
    }

    // The framer knows, without rescanning what is buffered on every read.
    bool mid_message() const override { return framer_.mid_value() || skipper_.has_value(); }

    void on_input_end() override {
        std::string_view rest = input();
        if (!Framer::blank(rest))
            reply_error(ParseError, "Parse error: the connection closed inside a JSON value", rest);
        consume(rest.size());
        framer_.reset(); // it may have scanned the whitespace just dropped
    }

    // A value over max_message_bytes begins at `begin` of the input: drop
    // what is buffered of it and skip the rest as it comes.
    void start_skip(std::size_t begin) {
        const auto& l = settings().limits;
        spdlog::info("{}: json: a message larger than {} bytes; skipping it", peer(), l.max_message_bytes);
        ctx().counters.limit(LimitKind::MessageBytes);
        // Its first max_message_bytes are its own (the next message's, past
        // them, must not decide its dialect).
        skip_dialect_ = dialect_ ? *dialect_
                                 : guess_dialect(input().substr(begin, std::min<std::size_t>(4096, l.max_message_bytes)));
        consume(begin);
        framer_.reset();
        skipper_.emplace(l.max_json_depth);
    }

    // Feed the skipper. At the value's end, answer its id with the limit, as
    // a call of its own; brackets that do not match end the connection.
    enum class Skip { Going, Answered, Failed };
    Skip skip(std::string_view data) {
        std::size_t used = 0;
        ValueSkipper::Status st = skipper_->feed(data, used);
        consume(used);
        if (st == ValueSkipper::Status::NeedMore) return Skip::Going;
        if (st != ValueSkipper::Status::Done) {
            skipper_.reset();
            return fail(st == ValueSkipper::Status::TooDeep ? Framer::Status::TooDeep : Framer::Status::Mismatched)
                       ? Skip::Answered
                       : Skip::Failed;
        }
        // The id as written, if it is one JSON-RPC can echo; else null.
        const bool go = skip_dialect_ == Dialect::Go;
        const std::string id = echo_id_text(skipper_->id(go), go);
        const std::string why = "Invalid Request: message of " + std::to_string(skipper_->size()) +
                                " bytes exceeds the server's limit of " +
                                std::to_string(settings().limits.max_message_bytes) + " bytes";
        skipper_.reset();
        call_started();
        encode_error(output(), skip_dialect_, RawId{id}, InvalidRequest, why);
        output() += '\n';
        finish_call({});
        return Skip::Answered;
    }

    bool fail(Framer::Status st) {
        const auto& l = settings().limits;
        std::string why = st == Framer::Status::TooLarge
                              ? "message larger than " + std::to_string(l.max_message_bytes) + " bytes"
                          : st == Framer::Status::TooDeep
                              ? "nested deeper than " + std::to_string(l.max_json_depth) + " levels"
                          : st == Framer::Status::Mismatched
                              ? "a closing bracket does not match the bracket it closes ('{' ... ']' or '[' ... '}')"
                              : "expected a JSON object or array";
        spdlog::info("{}: json: {}; closing", peer(), why);
        if (st == Framer::Status::TooLarge) ctx().counters.limit(LimitKind::MessageBytes);
        if (st == Framer::Status::TooDeep) ctx().counters.limit(LimitKind::JsonDepth);
        const bool unreadable = st == Framer::Status::Garbage || st == Framer::Status::Mismatched;
        reply_error(unreadable ? ParseError : InvalidRequest, (unreadable ? "Parse error: " : "Invalid Request: ") + why,
                    input());
        consume(input().size());
        return false;
    }

    // A message that cannot be read, answered in the connection's dialect
    // (guessed from `bytes`, the message's start, when none is known yet).
    void reply_error(int code, std::string_view why, std::string_view bytes) {
        encode_error(output(), dialect_ ? *dialect_ : guess_dialect(bytes), nullptr, code, why);
        output() += '\n';
    }

    void handle(std::string_view text) {
        call_started();
        auto self = std::static_pointer_cast<JsonSession>(shared_from_this());
        std::optional<Dialect> shown = serve_message(
            ctx().dispatcher, text, limits_,
            [self](std::string_view reply, Outcome::Kind) {
                if (self->at_home_now()) return self->finish_reply(reply);
                self->at_home([self, reply = std::string(reply)] { self->finish_reply(reply); });
            },
            dialect_ ? *dialect_ : guess_dialect(text), gate_ ? &*gate_ : nullptr);
        if (!dialect_) dialect_ = shown;
    }

    void finish_reply(std::string_view reply) {
        if (!reply.empty()) {
            output().append(reply);
            output() += '\n';
        }
        finish_call({});
    }

    Framer framer_;
    std::optional<ValueSkipper> skipper_; // a value over max_message_bytes going by
    Dialect skip_dialect_ = Dialect::V2;  // the dialect its answer is in
    DecodeLimits limits_;
    std::optional<Dialect> dialect_; // of the first request that could be read
    std::optional<AccessGate> gate_; // when [access] rules apply
};

} // namespace

void start_json_session(Connection conn, ReadBuffer buffer) {
    std::make_shared<JsonSession>(std::move(conn), std::move(buffer))->start();
}

} // namespace plugrpc
