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
//       case Step::Body:     dec.body_as(reply_schema), dec.body_as_received() or dec.skip_body()
//       case Step::Fatal:    dec.fatal_error(); the connection is done
//     }
//
// Read as the server reads calls (wire/gob/call_stream.hpp), with the
// same bounds.
#pragma once

#include "wire/gob/call_stream.hpp"
#include "wire/schema.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plugrpc::gob {

class ReplyDecoder : public CallStream {
public:
    explicit ReplyDecoder(std::size_t max_message_bytes) : CallStream(max_message_bytes, MessageStream::kReply) {}

    Step next();

    // After Header.
    std::uint64_t seq() const { return seq_; }
    const std::string& service_method() const { return service_method_; }
    const std::string& error() const { return error_; }

    // After Body: the reply as JSON shaped by `reply` (see value_decoder.hpp).
    BodyResult body_as(const Schema& reply);
    // After Body: the reply as JSON shaped by the type the server described
    // (received_schema.hpp), for a caller with no type of its own.
    BodyResult body_as_received();

private:
    std::uint64_t seq_ = 0;
    std::string service_method_, error_;
};

} // namespace plugrpc::gob
