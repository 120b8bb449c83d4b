// Threads for plugin code the daemon runs outside calls — a plugin's init
// and its shutdown — so that it never runs on the control thread or a
// network thread: a thread per job, at most `limit` at once, the others
// waiting their turn in order.
//
// A job that takes too long (an init past init_timeout) can be let go:
// its thread runs on, detached, but no longer holds a place. Nothing here
// is touched by a job's thread once the PluginThreads is gone: jobs handed
// in after that run at once, on the caller's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace plugrpc {

class PluginThreads {
public:
    using Job = std::function<void()>;
    using Id = std::uint64_t;

    explicit PluginThreads(std::size_t limit);
    // Waits for the jobs that hold a place and those waiting for one (at a
    // stop, the exit watchdog bounds the wait), not for the jobs let go.
    ~PluginThreads();
    PluginThreads(const PluginThreads&) = delete;
    PluginThreads& operator=(const PluginThreads&) = delete;

    // Run `job` on a thread of its own, now or once a place frees.
    Id run(Job job);
    // Let go of job `id`: it no longer holds a place, and is not waited for
    // (nor started, if it still waits).
    void release(Id id);

    // A function that runs jobs here while this exists, and at once on the
    // caller's thread after: for callers that may outlive it.
    std::function<void(Job)> runner() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

} // namespace plugrpc
