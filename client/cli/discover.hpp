// What a server says it serves: its rpc.discover (OpenRPC) document, read
// into the argument and reply schema of each method. plugrpcd answers it on
// every protocol (over gob as a string of JSON text); Go's net/rpc servers
// do not serve it, and answer "rpc: can't find service rpc.discover".
#pragma once

#include "options.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace plugrpc::cli {

struct MethodInfo {
    std::string name;        // "Arith.Divide"
    std::string description; // "From plugin arith 1.0.0 (arith.so)"
    boost::json::value args; // JSON schemas, as registered
    boost::json::value reply;
};

struct Discovery {
    // Sorted by name, rpc.discover itself left out; none when the server
    // answered that it does not serve rpc.discover.
    std::optional<std::vector<MethodInfo>> methods;
    client::Error refusal; // that answer, when there are no methods
};

// Asks rpc.discover on `c`, which speaks `protocol`. A transport error (or
// a timeout) is an error; the server's refusal is a Discovery without methods.
client::Result<Discovery> discover(client::Client& c, client::Protocol protocol);

// The methods of an OpenRPC document (plugrpcd's shape: a struct argument
// in "x-argument", any other as the one param "args").
std::vector<MethodInfo> methods_of(const boost::json::value& openrpc);

// The Go-like name of a schema's type ("Args", "int64", "[]string").
std::string type_name_of(const boost::json::value& schema);

// The service of "Service.Method": the name before the last dot, as Go splits it.
std::string service_of(const std::string& method);

} // namespace plugrpc::cli
