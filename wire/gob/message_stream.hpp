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
        const char* body;    // "argument": "gob: argument of N bytes exceeds the server's limit of M bytes"
        const char* owner;   // "server"
        bool drop_bodies;    // an over-long body is dropped and answered (else the stream ends)
    };
    // A server answers the call whose argument is too long; the client's
    // over-long reply ends its connection (plugrpc/client/error.hpp).
    static constexpr Nouns kRequest{"message", "value", "argument", "server", true};
    static constexpr Nouns kReply{"reply message", "reply", "reply", "client", false};

    using Span = std::pair<std::size_t, std::size_t>; // offset, size in the buffer

    // `budget`: the memory type definitions of several streams may hold
    // together (a server's connections); none when null.
    MessageStream(std::size_t max_message_bytes, Nouns nouns, TypeBudget* budget = nullptr)
        : max_(max_message_bytes), nouns_(nouns), types_(budget) {}

    // Append bytes as they arrive, split anywhere (bytes of a value being
    // dropped are dropped here).
    void feed(std::string_view bytes);

    // While on, a value longer than the limit is dropped as its bytes arrive
    // (never buffered) instead of ending the stream, and next_value() then
    // returns it with oversized() set: the caller answers that call and the
    // connection goes on. Only a value whose type cannot continue in
    // further messages (no interface inside) and whose type id has been read;
    // an over-long type definition still ends the stream.
    void skip_oversized_values(bool on) { skip_oversized_ = on; }
    // After next_value(): the length of the value that was dropped, or 0.
    std::uint64_t oversized() const { return oversized_; }
    // The error text for such a value.
    std::string oversized_error() const;

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
    // Type definitions have arrived that no value has used yet: a peer's
    // encoder sends them just before the value that needs them, so they
    // are part of a message under way.
    bool types_pending() const { return types_pending_; }

private:
    struct Frame {
        std::size_t payload = 0, size = 0, end = 0;
    };
    class More;
    bool frame_at(std::size_t pos, Frame& f);
    void compact();
    // The message at pos_ announces `len` > the limit after `used` bytes:
    // start dropping it if it is a value that may be dropped. False when it
    // may not (the caller fails); true when dropping or waiting for its type id.
    bool drop_oversized(int used, std::uint64_t len);

    std::size_t max_;
    Nouns nouns_;
    std::string buf_;
    std::size_t pos_ = 0;  // first byte not yet consumed
    std::size_t need_ = 0; // buf_ must hold this many bytes before the next try
    TypeTable types_;
    bool skip_oversized_ = false;
    bool types_pending_ = false;
    bool waiting_id_ = false;            // an over-long message whose type id has not arrived
    std::uint64_t skip_ = 0;             // bytes of the dropped value still to come
    std::uint64_t dropped_ = 0;          // its length, until next_value() reports it
    std::uint64_t oversized_ = 0;        // what next_value() reported
    std::int64_t id_ = 0;
    std::vector<Span> spans_;
    std::vector<std::string_view> views_;
};

// A value's type id as the type table indexes it (-1: out of range, which
// no table holds and which is reported as unknown when used).
TypeId as_type_id(std::int64_t id);

} // namespace plugrpc::gob
