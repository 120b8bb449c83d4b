// The debug page (Go's debugPath): every service and method with its types,
// calls, errors, rates and latency, the plugins it came from, and the
// server's and program's facts — as 80-column text for curl
// (debug_text.hpp), a live dashboard for browsers (dashboard.hpp), or JSON
// (debug_json.hpp): all of it, or the dashboard's small live snapshot.
#pragma once

#include "server/net/context.hpp"
#include "server/registry/registry.hpp"

#include <string>

namespace plugrpc {

enum class DebugFormat { Text, Html, Json, Live };

// Pick the format from the Accept header and the query string
// (?format=json|html|text|live).
DebugFormat choose_debug_format(std::string_view accept, std::string_view query);

// `query` may ask the live snapshot for the last 10 minutes (range=10m)
// instead of the last 2; `debug_path` is where the dashboard fetches it.
std::string render_debug_page(const Registry& registry, const ServeContext& ctx, DebugFormat format,
                              std::string_view query = {}, std::string_view debug_path = "/debug/rpc");

const char* debug_content_type(DebugFormat format);

} // namespace plugrpc
