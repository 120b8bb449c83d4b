// Health for load balancers and orchestrators, on every listener:
//
//   /healthz  200 "ok" while the daemon serves (as always).
//   /livez    200 while every network loop runs its handlers; 503 naming
//             the loop that does not (net/loop_pulse.hpp).
//   /readyz   200 while the server wants new calls; 503 while it starts
//             (listeners not all open yet, or the program's start-up
//             plugin loads still running), while it drains (from the
//             first moment of a stop, drain_delay included), and while a
//             service listed as required is not served.
//
// A 503 says why in one line. The same reason makes HAProxy's agent check
// answer "drain" (net/agent_check.hpp).
#pragma once

#include "server/net/context.hpp"

#include <string>

namespace plugrpc {

// "" when ready; else why not, in one line.
std::string not_ready_reason(const ServeContext& ctx);
// "" while every loop answers; else which one does not.
std::string not_live_reason(const ServeContext& ctx);

} // namespace plugrpc
