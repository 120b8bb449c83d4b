// The debug page for browsers: a small live dashboard in one self-contained
// page (inline CSS and JS, nothing fetched from elsewhere). It is rendered
// with the snapshot's figures, so it reads without JavaScript too; then it
// fetches `<debug path>?format=live` every 2 s (debug_json.hpp) and redraws
// in place, as inline SVG, calls/s and p50/p99 latency of the busiest
// methods over the last 2 or 10 minutes. Links to /metrics and
// /openrpc.json. Readable on a phone (meta viewport; one column below
// 600 px).
#pragma once

#include "server/http/debug_snapshot.hpp"

#include <string>
#include <string_view>

namespace plugrpc {

// `s`: taken with the kLiveRows busiest methods (debug_json.hpp).
std::string render_dashboard(const DebugSnapshot& s, std::string_view debug_path);

} // namespace plugrpc
