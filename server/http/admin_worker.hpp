// The admin pages (/metrics, /openrpc.json, the debug page) are rendered on
// a thread of their own. Their cost grows with the methods served (10,000
// methods made a /metrics of 15 MB before methods never called were cut to
// one line each, 0.7 MB since), and on a network thread it stalled every
// call of that thread's connections. Here one page is rendered at a
// time, beside the calls; at most kMaxWaiting wait, and beyond that a page
// is refused (the session answers 503) rather than queued without bound.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace plugrpc {

class AdminWorker {
public:
    static constexpr std::size_t kMaxWaiting = 16;

    AdminWorker() = default;
    ~AdminWorker() { stop(); }
    AdminWorker(const AdminWorker&) = delete;
    AdminWorker& operator=(const AdminWorker&) = delete;

    // Run `job` on the worker's thread (started on first use); false, and
    // `job` dropped, when kMaxWaiting jobs wait or the worker has stopped.
    // A job must not throw.
    bool post(std::function<void()> job);

    // Drop the jobs that wait, finish the one that runs, end the thread.
    void stop();

    // Jobs waiting (not the one that runs).
    std::size_t waiting() {
        std::lock_guard lock(mu_);
        return jobs_.size();
    }

private:
    void run();

    std::mutex mu_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopped_ = false;
    std::thread thread_;
};

} // namespace plugrpc
