// Serving one JSON-RPC message (a request or a batch) through the dispatcher.
// Shared by the TCP stream and the HTTP front.
#pragma once

#include "server/jsonrpc/message.hpp"

#include <functional>
#include <string_view>

namespace plugrpc::jsonrpc {

// Where the reply goes: the whole reply text, valid only during the call
// (copy what you keep).
using ReplyDone = std::function<void(std::string_view reply)>;

// Decode `text`, run every call it holds, and hand `done` the whole reply
// text: one object, an array for a batch, or empty when nothing is to be
// answered (notifications). `done` runs once, on the thread that finished
// the last call — for methods that answer at once, before serve_message
// returns.
void serve_message(Dispatcher& dispatcher, std::string_view text, const DecodeLimits& limits, ReplyDone done);

} // namespace plugrpc::jsonrpc
