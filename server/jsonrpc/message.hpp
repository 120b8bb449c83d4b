// JSON-RPC messages: one JSON value in, the calls it asks for out; outcomes
// in, reply text out. Two dialects share the stream:
//
//   Go's net/rpc/jsonrpc   {"method":"S.M","params":[arg],"id":N}
//                          -> {"id":N,"result":R,"error":null} / {"id":N,"result":null,"error":"text"}
//   JSON-RPC 2.0           {"jsonrpc":"2.0","method":"S.M","params":{..}|[..],"id":N}
//                          -> {"jsonrpc":"2.0","result":R,"id":N} / {"jsonrpc":"2.0","error":{code,message},"id":N}
//                          batches, and notifications (no id: no reply)
//
// Pure functions: no sockets, no registry.
#pragma once

#include "wire/jsonrpc/envelope.hpp"
#include "wire/number_literals.hpp"
#include "server/rpc/call.hpp"
#include "server/rpc/dispatcher.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/json/value.hpp>

#include <memory>

#include <string>
#include <string_view>
#include <vector>

namespace plugrpc::jsonrpc {

enum class Dialect : std::uint8_t { Go, V2 };

// JSON-RPC 2.0 error codes.
enum Code : int {
    ParseError = -32700,
    InvalidRequest = -32600,
    MethodNotFound = -32601,
    InvalidParams = -32602,
    InternalError = -32603,
    ServerError = -32000, // a method's own error
    ServerBusy = -32001,
    Overloaded = -32002,   // the method's max_concurrency calls are running: retry elsewhere
    AccessRefused = -32003 // the access rules ([access.<name>]) refuse this peer the method
};

// One call of a message. `method` and `params` point into the Message it
// came from, and live as long as it; the rest is the request's own.
struct Request {
    Dialect dialect = Dialect::V2;
    bool notification = false;   // V2 without "id": no reply
    boost::json::value id;       // as parsed (null when absent or not a valid id)
    std::string id_text;         // what the reply echoes: the id's text as received, spaces
                                 // between tokens removed (as Go's server, which keeps it as
                                 // json.RawMessage): 1e3, 1.50, -0, big integers stay as written
    std::string_view method;     // as sent
    std::string qualified;       // a flat 2.0 name in the default service: "Spec.subtract"
    const boost::json::value* params = nullptr; // the argument (Go) or params as sent (V2); never null
    ParamsShape shape = ParamsShape::Value;
    bool args_read = false; // params were taken by the decode's ArgsReader (params is then null)
    // Set when the request itself is invalid: answer it with this, do not dispatch.
    int error_code = 0;
    std::string error;
    bool body_error = false; // Go's dialect: the error is the params'; a bad name is answered first

    // The name to call.
    std::string_view name() const { return qualified.empty() ? method : std::string_view(qualified); }
};

// A message's requests: one, held inline (no allocation per call), or a
// batch's.
using Requests = boost::container::small_vector<Request, 1>;

struct Message {
    explicit Message(boost::json::storage_ptr storage = {}) : root(std::move(storage)) {}

    bool batch = false;
    Requests requests;
    // A message that cannot be read at all (bad JSON, empty batch, ...):
    // answered with one V2 error, id null.
    int error_code = 0;
    std::string error;
    boost::json::value root; // the parsed text the requests point into (or the members read the short way)
    // The text root was parsed from: the whole message, or only the params
    // when the rest was read the short way (root then holds the members),
    // or go_text; empty when nothing was parsed.
    std::string_view parsed_text;
    // The message with its strings rewritten as Go reads them, when they
    // had bytes that are not UTF-8 or lone surrogate escapes
    // (wire/jsonrpc/go_strings.hpp); null otherwise. On the heap, so that
    // parsed_text stays valid when the message moves.
    std::unique_ptr<std::string> go_text;
    bool params_only = false;

    // What each number of the requests' params was written as, which
    // decides an integer parameter (wire/schema.hpp): valid while the
    // message and its text are.
    NumberLiterals literals() const;
};

struct DecodeLimits {
    unsigned max_depth = 64;
    std::size_t max_batch = 1000;
    // A JSON-RPC 2.0 method name without a dot is looked up in this service
    // (ServerOptions::jsonrpc_default_service); empty: it is ill-formed.
    std::string default_service = {};
};

// The message is parsed into `storage` (an arena on the caller's stack, say),
// which must outlive it.
// A usual request is read the short way (envelope.hpp), its params offered
// to `reader` first; the rest through decode_whole, which parses all of
// the text: the reference. Strings are read as Go's encoding/json reads
// them, in both dialects: a byte that is not UTF-8 and a lone surrogate
// escape are U+FFFD (Message::go_text); an id is echoed with the bytes it
// was sent with, as Go's server echoes it.
Message decode(std::string_view text, const DecodeLimits& limits, boost::json::storage_ptr storage = {},
               ArgsReader* reader = nullptr);
Message decode_whole(std::string_view text, const DecodeLimits& limits, boost::json::storage_ptr storage = {});

// An id as JSON text, written into a reply as it is (Request::id_text).
struct RawId {
    std::string_view text;
};

// The id of a message that was not decoded (over max_message_bytes: only
// its "id" member's text `raw` was kept, wire/jsonrpc/value_skipper.hpp) as
// a reply echoes it, as decode() would have: a string, number or null as
// Go's server echoes it (strings read as Go reads them, HTML escaped);
// "null" for anything else — but in Go's dialect (`go_dialect`) any JSON
// value, as Go's server echoes whatever its request's id was.
std::string echo_id_text(std::string_view raw, bool go_dialect = false);

// Append the reply with `outcome` to a request of `dialect` with `id` to
// `out` (no trailing newline).
void encode_reply(std::string& out, Dialect dialect, RawId id, const Outcome& outcome);
void encode_reply(std::string& out, Dialect dialect, const boost::json::value& id, const Outcome& outcome);
inline void encode_reply(std::string& out, const Request& req, const Outcome& outcome) {
    encode_reply(out, req.dialect, RawId{req.id_text}, outcome);
}
// Append a reply for an invalid request or message.
void encode_error(std::string& out, Dialect dialect, RawId id, int code, std::string_view message);
void encode_error(std::string& out, Dialect dialect, const boost::json::value& id, int code, std::string_view message);

// The dialect of a peer that has not yet sent a request that could be read,
// guessed from the start of a message that cannot be (too large, too deep,
// not JSON): Go's when it begins exactly as Go's jsonrpc client writes
// every request, `{"method":"` (after whitespace or a byte order mark), and
// no "jsonrpc" member is among the bytes at hand; JSON-RPC 2.0 otherwise.
Dialect guess_dialect(std::string_view text);

} // namespace plugrpc::jsonrpc
