// The first process of an isolated plugin's host, which runs no plugin code.
//
// plugrpcd ends what an isolated plugin starts by ending its process group
// (server/isolate/spawn.cpp). A program the plugin starts in a session of
// its own (setsid, a daemon's double fork) leaves that group, and once its
// parent exits it would be adopted by init and outlive the plugin's
// process, its restarts and the daemon's reloads. So the host forks: the
// child (the worker) loads and serves the plugin; this first process is a
// child subreaper, so that whatever the plugin's processes leave behind
// is adopted here, not by init. It reaps what it adopts while the worker
// runs; when the worker ends, it kills everything left, and then ends as
// the worker did (the same signal, or the same exit status), which is what
// the daemon reports.
#pragma once

#include <sys/types.h>

namespace plugrpc::reaper {

// Fork the worker (the caller has made this process a child subreaper:
// the worker does not inherit that). Returns 0 in the worker (which dies
// with this process), the worker's pid here, or -1 (errno set).
pid_t start_worker();

// Here, after start_worker(): close `channel` descriptors (the worker's
// alone now), reap until the worker ends, end the rest, and exit as it did.
[[noreturn]] void reap_until_worker_ends(pid_t worker, const int* channel, int channel_count);

} // namespace plugrpc::reaper
