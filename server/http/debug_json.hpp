// The debug page as JSON.
//
// render_debug_json: everything (Accept: application/json, ?format=json):
// "status" (the header's facts), every service with its methods, their
// schemas and figures, the plugins and the files that failed to load.
//
// render_debug_live: the dashboard's snapshot (?format=live, fetched every
// 2 s), of a snapshot taken with the kLiveRows busiest methods and
// kLiveCharts charted (SnapshotOptions): "status", those rows, and the
// histories as arrays of calls per second and p50/p99 seconds, oldest
// first, one point per `step_seconds`, busiest first. Its size does not
// grow with the number of methods.
#pragma once

#include "server/http/debug_snapshot.hpp"

#include <string>

namespace plugrpc {

std::string render_debug_json(const DebugSnapshot& s);

inline constexpr std::size_t kLiveRows = 50;
inline constexpr std::size_t kLiveCharts = 8;
std::string render_debug_live(const DebugSnapshot& s);

} // namespace plugrpc
