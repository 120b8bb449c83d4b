// Serving one JSON-RPC message (a request or a batch) through the dispatcher.
// Shared by the TCP stream and the HTTP front.
#pragma once

#include "server/jsonrpc/message.hpp"

#include <functional>
#include <optional>
#include <string_view>

namespace plugrpc {
class AccessGate;
}

namespace plugrpc::jsonrpc {

// Where the reply goes: the whole reply text, valid only during the call
// (copy what you keep), and how it went: a single request's call outcome
// (Kind::Overloaded lets HTTP answer 503), Ok for a batch, IllFormed for a
// message that could not be read.
using ReplyDone = std::function<void(std::string_view reply, Outcome::Kind kind)>;

// Decode `text`, run every call it holds, and hand `done` the whole reply
// text: one object, an array for a batch, or empty when nothing is to be
// answered (notifications). `done` runs once, on the thread that finished
// the last call — for methods that answer at once, before serve_message
// returns.
//
// A message that is not JSON is answered -32700 in the dialect
// `unreadable` (the connection's, when it has one: Go's client cannot read
// a 2.0 error object). A UTF-8 byte order mark before the text is skipped.
//
// Returns the dialect the message shows its sender speaks: a request's
// own (Go's only when the request is valid: "jsonrpc" makes any request
// 2.0), JSON-RPC 2.0 for a batch; nothing for a message that cannot be read.
//
// `gate`, when given, is asked before each call runs: a call it refuses is
// answered with its text (-32003 in JSON-RPC 2.0), and rpc.discover lists
// only what it lets the peer call.
std::optional<Dialect> serve_message(Dispatcher& dispatcher, std::string_view text, const DecodeLimits& limits,
                                     ReplyDone done, Dialect unreadable = Dialect::V2, AccessGate* gate = nullptr);

} // namespace plugrpc::jsonrpc
