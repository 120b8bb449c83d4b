// The client-to-server half of a Go net/rpc gob connection.
//
// A Go client sends, per call, a header value Request{ServiceMethod, Seq}
// and then the argument value, each preceded by the definitions of types
// the connection has not described yet:
//
//     [type definitions] Request   [type definitions] Args   ...
//
// Every item is a message: an unsigned byte count, then a signed type id
// (negative: a definition of type -id follows; else a value of that type).
//
// Usage, per connection:
//
//     RequestDecoder dec(limit);
//     dec.feed(bytes_from_socket);
//     for (;;) switch (dec.next()) {
//       case Step::NeedMore: read more, feed, loop
//       case Step::Header:   look up dec.service_method(); remember dec.seq()
//       case Step::Body:     dec.body_as(schema) or dec.skip_body()
//       case Step::Fatal:    log dec.fatal_error(), close the connection
//     }
//
// Errors in a body (wrong types, corrupt values) are the call's error: the
// reply carries the text and the connection goes on, as with Go's server.
// Broken framing, broken type definitions or an undecodable header are
// fatal, as they are for Go's server (it closes the connection).
//
// Bounds: no message longer than max_message_bytes is buffered (the
// announced length is refused as soon as it is read); a value is at most
// that long over all of its messages; values nest at most 64 levels; a
// connection describes at most TypeTable::kMaxTypes types. Memory held is
// one partial message plus what the caller fed since it last drained
// next() to NeedMore.
#pragma once

#include "wire/gob/call_stream.hpp"
#include "wire/gob/value_decoder.hpp"
#include "wire/schema.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plugrpc::gob {

class RequestDecoder : public CallStream {
public:
    // `budget`: see MessageStream.
    explicit RequestDecoder(std::size_t max_message_bytes, TypeBudget* budget = nullptr)
        : CallStream(max_message_bytes, MessageStream::kRequest, budget) {}

    // Reads type definitions silently. Header: a request header was read
    // (service_method(), seq()). Body: the argument value that follows it is
    // complete; call body_as() or skip_body() before the next next() (a body
    // left alone is skipped).
    Step next();

    const std::string& service_method() const { return service_method_; }
    std::uint64_t seq() const { return seq_; }

    // After Body: the argument as JSON for the method's argument schema, or
    // Go's error text ("gob: wrong type (uint64) for received field Args.B").
    BodyResult body_as(const Schema& args);
    // The same into `out`, built in out's own storage (a call's arena), with
    // the type checks and field maps of earlier calls reused: the error
    // text, or empty on success.
    std::string body_into(const SchemaPtr& args, boost::json::value& out);
    // After Body, first: the argument appended to `text` as the canonical
    // JSON text body_into() and append_json_text() would make together,
    // without building a value — for a struct of integers, booleans and
    // printable-ASCII strings, once an earlier body of its wire type passed
    // Go's checks on this connection (plain_body.hpp). False, with nothing
    // appended or consumed, for anything else: body_into() then.
    bool plain_body_text(const SchemaPtr& args, std::string& text);

private:
    void read_header(std::int64_t id, const std::vector<MessageStream::Span>& spans);

    DecodePlans plans_;
    std::string service_method_;
    std::uint64_t seq_ = 0;
};

} // namespace plugrpc::gob
