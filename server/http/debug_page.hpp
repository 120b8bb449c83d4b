// The debug page (Go's debugPath): every service and method with its types,
// calls, errors and the plugin it came from — as an aligned text table for
// curl, HTML for browsers, or JSON.
#pragma once

#include "server/net/context.hpp"
#include "server/registry/registry.hpp"

#include <string>

namespace plugrpc {

enum class DebugFormat { Text, Html, Json };

// Pick the format from the Accept header and the query string (?format=json|html|text).
DebugFormat choose_debug_format(std::string_view accept, std::string_view query);

std::string render_debug_page(const Registry& registry, const ServeContext& ctx, DebugFormat format);

const char* debug_content_type(DebugFormat format);

} // namespace plugrpc
