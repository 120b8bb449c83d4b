// The per-method families of /metrics: plugrpc_calls_total,
// plugrpc_calls_rejected_total and the plugrpc_call_duration_seconds
// histogram, each with its HELP and TYPE lines.
//
// A method that has never been called (nor refused) is one sample:
// plugrpc_calls_total{service,method,outcome="ok"} 0, so that its series
// exists from the start; its other series appear with its first call, with
// the same names and labels as ever. A registry of 10,000 methods few of
// which are called makes a page of 0.7 MB instead of 16 MB (each method's
// histogram alone is 17 lines).
#pragma once

#include "server/registry/registry.hpp"

#include <string>

namespace plugrpc {

void append_method_metrics(std::string& out, const Registry& registry);

} // namespace plugrpc
