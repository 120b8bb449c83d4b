// The debug page for terminals (curl): at most 80 columns, wrapped by
// design rather than by the terminal. A "key: value" header (the server's
// and the program's facts), then one row per method under its service —
// calls, errors, calls/s, mean and the p50/p99 estimates — then the plugins
// with their files, then the plugin files that failed to load with why.
#pragma once

#include "server/http/debug_snapshot.hpp"

#include <string>

namespace plugrpc {

inline constexpr std::size_t kTextColumns = 80;

// Of a snapshot taken with the first kTextRows methods by name: the methods
// served beyond them are counted on a last line that says where to find
// them all.
inline constexpr std::size_t kTextRows = 2000;
std::string render_debug_text(const DebugSnapshot& s);

// "850ns", "1.8us", "12.5ms", "2.5s"; "-" for 0 (no calls).
std::string short_duration(double seconds);

// Columns `text` takes on a terminal (UTF-8 sequences count once).
std::size_t text_width(std::string_view text);

} // namespace plugrpc
