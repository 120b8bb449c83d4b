// The message layer of a gob stream, as both ends of a net/rpc connection
// read it: length-prefixed messages, type definitions kept in the
// connection's table, and values — one message each, or several when a
// value holds an interface whose concrete types are defined on the way.
//
// RequestDecoder (the server's side) and ReplyDecoder (the client's) are
// this plus what they expect: a header value, then a body value.
//
//     MessageStream s(limit, MessageStream::kRequest);
//     s.feed(bytes);
//     if (s.next_value()) { s.value_id(); s.value_spans(); ... }  // else need more
//
// Bounds: a message longer than the limit is refused as soon as its length
// is read (feed() or next_value() throws StreamError), before its bytes pile
// up; a value is at most that long over all its messages; the type table is
// bounded (TypeTable::kMaxTypes).
#pragma once

#include "wire/gob/types.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plugrpc::gob {

class MessageStream {
public:
    // How the limits' errors name what was too long.
    struct Nouns {
        const char* message; // "message": "gob: message of N bytes exceeds the limit of M bytes"
        const char* value;   // "value":   "gob: value longer than the limit of M bytes"
    };
    static constexpr Nouns kRequest{"message", "value"};
    static constexpr Nouns kReply{"reply message", "reply"};

    using Span = std::pair<std::size_t, std::size_t>; // offset, size in the buffer

    MessageStream(std::size_t max_message_bytes, Nouns nouns) : max_(max_message_bytes), nouns_(nouns) {}

    // Append bytes as they arrive, split anywhere.
    void feed(std::string_view bytes) { buf_.append(bytes); }

    // Read type definitions up to the next complete value and step past it:
    // true with value_id() and value_spans() set, false when more bytes are
    // needed. Throws StreamError (broken framing) or Error (a broken type
    // definition); either ends the stream.
    bool next_value();
    std::int64_t value_id() const { return id_; }
    const std::vector<Span>& value_spans() const { return spans_; }

    // The bytes of `spans`, in a vector kept for the purpose.
    std::vector<std::string_view>& views(const std::vector<Span>& spans);

    // Refuse the next message now if its announced length is beyond the
    // limit (throws StreamError), so its bytes never pile up.
    void check_next_length();

    // Spans handed out stay valid until the next next_value() or clear().
    void clear(); // drop every byte held (the stream failed)
    TypeTable& types() { return types_; }
    std::size_t buffered() const { return buf_.size() - pos_; }

private:
    struct Frame {
        std::size_t payload = 0, size = 0, end = 0;
    };
    class More;
    bool frame_at(std::size_t pos, Frame& f);
    void compact();

    std::size_t max_;
    Nouns nouns_;
    std::string buf_;
    std::size_t pos_ = 0;  // first byte not yet consumed
    std::size_t need_ = 0; // buf_ must hold this many bytes before the next try
    TypeTable types_;
    std::int64_t id_ = 0;
    std::vector<Span> spans_;
    std::vector<std::string_view> views_;
};

// A value's type id as the type table indexes it (-1: out of range, which
// no table holds and which is reported as unknown when used).
TypeId as_type_id(std::int64_t id);

} // namespace plugrpc::gob
