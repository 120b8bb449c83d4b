// JSON for people: two-space indents, one member per line; numbers as Go's
// encoding/json writes them (2.5, not 2.5E0).
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace plugrpc::cli {

std::string pretty_json(const boost::json::value& v, int indent = 0);

// The same on one line, without spaces (what `plugrpc call` prints).
std::string compact_json(const boost::json::value& v);

} // namespace plugrpc::cli
