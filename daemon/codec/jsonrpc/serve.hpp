// Serving one JSON-RPC message (a request or a batch) through the dispatcher.
// Shared by the TCP stream and the HTTP front.
#pragma once

#include "codec/jsonrpc/message.hpp"

#include <functional>
#include <string>

namespace plugrpc::jsonrpc {

// Decode `text`, run every call it holds, and hand `done` the whole reply
// text: one object, an array for a batch, or empty when nothing is to be
// answered (notifications). `done` runs once, on the thread that finished
// the last call.
void serve_message(Dispatcher& dispatcher, std::string_view text, const DecodeLimits& limits,
                   std::function<void(std::string)> done);

} // namespace plugrpc::jsonrpc
