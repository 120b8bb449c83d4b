// What a server says it serves: its rpc.discover (OpenRPC) document, read
// into the argument and reply schema of each method.
#pragma once

#include "options.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace plugrpc::cli {

struct MethodInfo {
    std::string name;        // "Arith.Divide"
    std::string description; // "From plugin arith 1.0.0 (arith.so)"
    boost::json::value args; // JSON schemas, as registered
    boost::json::value reply;
};

// Calls rpc.discover at the invocation's address (over HTTP for --proto
// http, else JSON-RPC over TCP) and returns the methods sorted by name,
// rpc.discover itself left out.
client::Result<std::vector<MethodInfo>> discover(const Invocation& inv);

// The methods of an OpenRPC document (plugrpcd's shape: a struct argument
// in "x-argument", any other as the one param "args").
std::vector<MethodInfo> methods_of(const boost::json::value& openrpc);

// The Go-like name of a schema's type ("Args", "int64", "[]string").
std::string type_name_of(const boost::json::value& schema);

} // namespace plugrpc::cli
