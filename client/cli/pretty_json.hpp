// JSON for people: two-space indents, one member per line.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace plugrpc::cli {

std::string pretty_json(const boost::json::value& v, int indent = 0);

} // namespace plugrpc::cli
