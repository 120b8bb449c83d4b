// What both halves of a Go net/rpc gob connection have in common: a header
// value, then exactly one body value, again and again, each after the type
// definitions the connection has not seen yet (message_stream.hpp).
// RequestDecoder (decoder.hpp) reads a client's calls with it;
// ReplyDecoder (client/src/codec) a server's replies.
//
// Errors in a body are that call's (the caller gets the text and goes on);
// broken framing, type definitions or headers end the stream (Fatal).
#pragma once

#include "wire/gob/input.hpp"
#include "wire/gob/message_stream.hpp"
#include "wire/gob/skip.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace plugrpc::gob {

class CallStream {
public:
    enum class Step { NeedMore, Header, Body, Fatal };

    // Bytes as they arrive, split anywhere.
    void feed(std::string_view bytes) {
        if (!fatal_.empty()) return;
        stream_.feed(bytes);
        check_next_length();
    }

    // A body read as JSON for a schema (see value_decoder.hpp).
    struct BodyResult {
        boost::json::value value; // null when error is set
        std::string error;        // Go's text for why it does not fit; empty on success
        bool ok() const { return error.empty(); }
    };

    // Why the stream ended; one line.
    const std::string& fatal_error() const { return fatal_; }
    // Bytes held and not yet consumed.
    std::size_t buffered() const { return stream_.buffered(); }
    // Type definitions that no value has used yet (MessageStream).
    bool types_pending() const { return stream_.types_pending(); }

    // After Body: it was longer than the limit, and dropped unread (reading
    // it gives the error that says so).
    bool body_oversized() const { return !oversized_error_.empty(); }

    // After Body: discard it (the next step does so too).
    void skip_body() {
        if (phase_ != Phase::BodyReady) return;
        body_.clear();
        oversized_error_.clear();
        phase_ = Phase::Header;
        check_next_length();
    }

protected:
    CallStream(std::size_t max_message_bytes, MessageStream::Nouns nouns, TypeBudget* budget = nullptr)
        : stream_(max_message_bytes, nouns, budget) {}

    // One step. `read_header(id, spans)` decodes a header value, throwing
    // StreamError when it cannot.
    template <class ReadHeader>
    Step step(ReadHeader&& read_header) {
        if (!fatal_.empty()) return Step::Fatal;
        skip_body();
        if (!fatal_.empty()) return Step::Fatal;
        try {
            if (!stream_.next_value()) return Step::NeedMore;
            const std::vector<MessageStream::Span>& spans = stream_.value_spans();
            if (phase_ == Phase::Body) {
                oversized_error_ = stream_.oversized() ? stream_.oversized_error() : std::string();
                body_.assign(spans.begin(), spans.end());
                body_id_ = stream_.value_id();
                phase_ = Phase::BodyReady;
                return Step::Body;
            }
            read_header(stream_.value_id(), spans);
            phase_ = Phase::Body;
            check_next_length();
            return Step::Header;
        } catch (const StreamError& e) {
            return fail(e.what());
        } catch (const Error& e) {
            return fail(e.what());
        }
    }

    // After Body: `decode(walk, id)` reads it; the error text, or empty.
    template <class Decode>
    std::string read_body(Decode&& decode, const char* none) {
        if (phase_ != Phase::BodyReady) return none;
        if (!oversized_error_.empty()) {
            std::string why = oversized_error_;
            skip_body();
            return why;
        }
        std::string error;
        ValueInput in(stream_.views(body_));
        Walk replay{stream_.types(), in, false};
        try {
            decode(replay, as_type_id(body_id_));
        } catch (const Error& e) {
            error = e.what();
        } catch (const StreamError& e) {
            error = e.what();
        }
        skip_body();
        return error;
    }

    // After Body: `decode(walk, id)` may read it and return true (the body
    // is then done with), or decline with false, or by throwing: nothing is
    // consumed then, and the body waits for read_body() as before.
    template <class Decode>
    bool try_body(Decode&& decode) {
        if (phase_ != Phase::BodyReady || !oversized_error_.empty()) return false;
        ValueInput in(stream_.views(body_));
        Walk replay{stream_.types(), in, false};
        bool took = false;
        try {
            took = decode(replay, as_type_id(body_id_));
        } catch (const Error&) {
        } catch (const StreamError&) {
        }
        if (took) skip_body();
        return took;
    }

    MessageStream stream_;

private:
    enum class Phase { Header, Body, BodyReady };

    // Refuses an oversized message as soon as its length is known, before
    // its bytes pile up; not while a body waits to be read (its bytes are
    // still needed).
    void check_next_length() {
        if (phase_ == Phase::BodyReady || !fatal_.empty()) return;
        // An over-long body is dropped and answered; anything else over-long
        // ends the stream.
        stream_.skip_oversized_values(phase_ == Phase::Body);
        try {
            stream_.check_next_length();
        } catch (const StreamError& e) {
            fail(e.what());
        }
    }

    Step fail(std::string why) {
        if (fatal_.empty()) fatal_ = std::move(why);
        stream_.clear();
        body_.clear();
        return Step::Fatal;
    }

    Phase phase_ = Phase::Header;
    std::vector<MessageStream::Span> body_; // the messages of the pending body
    std::int64_t body_id_ = 0;              // its type id
    std::string oversized_error_;           // the pending body was dropped: why
    std::string fatal_;
};

} // namespace plugrpc::gob
