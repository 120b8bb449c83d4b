// GET /metrics: the daemon's figures in Prometheus' text format.
#pragma once

#include "server/net/context.hpp"

#include <string>

namespace plugrpc {

std::string render_metrics(const ServeContext& ctx);

} // namespace plugrpc
