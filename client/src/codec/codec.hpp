// The seam between a client connection and its wire format (Go's
// ClientCodec): write a request, read replies. Pure: bytes in, replies
// out, no sockets — the connection owns those.
#pragma once

#include <plugrpc/client/client.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace plugrpc::client::wire {

struct Reply {
    enum class Outcome { Ok, ServerError, BadBody };
    std::uint64_t seq = 0;
    Outcome outcome = Outcome::Ok;
    boost::json::value result; // Ok
    std::string error;         // ServerError: the server's text; BadBody: why the body does not fit
    int code = 0;              // ServerError over JSON-RPC 2.0: its code
};

// What the call `seq` expects of its reply.
struct ReplyType {
    bool waited = false;            // false: no call waits for it (timed out): read past it
    const Schema* schema = nullptr; // gob: the type to read it as; null: as the server describes it
};
using ReplyTypeOf = std::function<ReplyType(std::uint64_t seq)>;

// Where a codec shows what it sends and receives (Options::trace); may be empty.
using Trace = std::function<void(std::string_view)>;

class Codec {
public:
    virtual ~Codec() = default;

    // Appends one request to `out`. Returns why not (nothing appended) when
    // `params` cannot be sent: gob without types, or params that do not fit
    // the argument type.
    virtual std::string encode(std::string& out, std::uint64_t seq, std::string_view method,
                               const boost::json::value& params, const CallTypes* types) = 0;

    // Bytes as they arrive, split anywhere.
    virtual void feed(std::string_view bytes) = 0;

    enum class Step { NeedMore, Reply, Fatal };
    // Reply: `out` holds the next whole reply.
    virtual Step next(Reply& out, const ReplyTypeOf& reply_type) = 0;

    // Why next() returned Fatal: the stream cannot go on.
    virtual const std::string& fatal_error() const = 0;
};

// Requests one per line, in JSON-RPC 2.0's shape or (go_dialect) in Go's
// jsonrpc shape, {"method":..,"params":[arg],"id":..}; replies in either.
std::unique_ptr<Codec> make_json_codec(std::size_t max_reply_bytes, bool go_dialect = false, Trace trace = {});
// JSON-RPC 2.0 in HTTP/1.1 POSTs to `path` on a kept-alive connection.
std::unique_ptr<Codec> make_http_codec(std::size_t max_reply_bytes, std::string host, std::string path,
                                       Trace trace = {});
// Go's net/rpc gob.
std::unique_ptr<Codec> make_gob_codec(std::size_t max_reply_bytes, Trace trace = {});

} // namespace plugrpc::client::wire
