// The server-to-client half of a Go net/rpc gob connection, as Go's
// rpc.Client reads it (the mirror of wire/gob/decoder.hpp): per
// reply a header Response{ServiceMethod, Seq, Error}, then exactly one body
// (the reply, or an empty struct when Error is set), each preceded by the
// type definitions the connection has not seen yet.
//
//     ReplyDecoder dec(limit);
//     dec.feed(bytes);
//     for (;;) switch (dec.next()) {
//       case Step::NeedMore: read more, feed, loop
//       case Step::Header:   find the call of dec.seq(); note dec.error()
//       case Step::Body:     dec.body_as(reply_schema) or dec.skip_body()
//       case Step::Fatal:    dec.fatal_error(); the connection is done
//     }
//
// Bounds: a message longer than the limit is refused as soon as its length
// is read; a value is at most that long over all its messages; the type
// table is bounded (TypeTable::kMaxTypes).
#pragma once

#include "wire/gob/types.hpp"
#include "wire/schema.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plugrpc::gob {

class ReplyDecoder {
public:
    explicit ReplyDecoder(std::size_t max_message_bytes);

    void feed(std::string_view bytes);

    enum class Step { NeedMore, Header, Body, Fatal };
    Step next();

    // After Header.
    std::uint64_t seq() const { return seq_; }
    const std::string& service_method() const { return service_method_; }
    const std::string& error() const { return error_; }

    struct BodyResult {
        boost::json::value value; // null when error is set
        std::string error;        // why the body does not fit; empty on success
        bool ok() const { return error.empty(); }
    };
    // After Body: the reply as JSON shaped by `reply` (see value_decoder.hpp).
    BodyResult body_as(const Schema& reply);
    void skip_body();

    const std::string& fatal_error() const { return fatal_; }

private:
    struct Frame {
        std::size_t payload = 0, size = 0, end = 0;
    };
    using Span = std::pair<std::size_t, std::size_t>;
    class More;

    bool frame_at(std::size_t pos, Frame& f) const;
    Step read_item();
    std::vector<std::string_view> views() const;
    void compact();
    Step fail(std::string why);

    std::size_t max_;
    std::string buf_;
    std::size_t pos_ = 0;
    TypeTable types_;
    bool in_body_ = false;   // the next value is a body
    bool body_ready_ = false;
    std::vector<Span> body_;
    std::int64_t body_id_ = 0;
    std::uint64_t seq_ = 0;
    std::string service_method_, error_, fatal_;
};

} // namespace plugrpc::gob
