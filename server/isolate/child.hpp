// The child's side of an isolated plugin (plugrpc-plugin-host): load the
// plugin with the daemon's own loader, tell the parent what it registered,
// then run the calls that come over the channel on a dispatcher of its own
// (blocking methods on its pool, answers later from any thread, deadlines,
// checked handles) — as the daemon would run them in-process.
#pragma once

namespace plugrpc::isolate {

// Serve the calls read from `calls`, answering on `answers` (the channel's
// two pipes), until the parent closes its end. The parent's first frame
// (kind Start) says which file and config to load. Returns the exit code: 0
// after the parent closed the channel, 1 when the plugin did not load or a
// descriptor of the channel was closed under it.
int serve_child(int calls, int answers);

} // namespace plugrpc::isolate
