// Call deadlines: one thread that ends calls nobody answered in time.
//
// Only calls that outlive their handler's first run are queued: blocking
// calls (they may wait for the pool) and calls whose handler returned
// PLRPC_PENDING. A call answered while its handler runs never costs the
// queue anything. An entry holds the call's handle, not the call: a call
// answered before its deadline leaves its entry to be dropped when it comes
// due (the handle no longer names an open call), or earlier by a sweep once
// such entries outnumber the live ones.
#pragma once

#include <plugrpc/abi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace plugrpc {

class DeadlineQueue {
public:
    using Clock = std::chrono::steady_clock;
    // Called on the queue's thread for each handle whose deadline passed.
    using Expire = std::function<void(plrpc_call* handle)>;

    explicit DeadlineQueue(Expire expire) : expire_(std::move(expire)) {}
    ~DeadlineQueue() { stop(); }
    DeadlineQueue(const DeadlineQueue&) = delete;
    DeadlineQueue& operator=(const DeadlineQueue&) = delete;

    void add(Clock::time_point when, plrpc_call* handle);
    // A queued call ended before its deadline.
    void ended() { stale_.fetch_add(1, std::memory_order_relaxed); }
    // Entries held now (tests).
    std::size_t size() const;
    // Expire nothing more; join the thread.
    void stop();

private:
    struct Entry {
        Clock::time_point when;
        plrpc_call* handle;
        bool operator>(const Entry& o) const { return when > o.when; }
    };
    void loop();
    void sweep(); // with mu_ held

    Expire expire_;
    mutable std::mutex mu_;
    std::condition_variable wake_;
    std::vector<Entry> heap_; // a min-heap on `when`
    std::thread thread_;
    bool stopping_ = false;
    std::atomic<std::size_t> stale_{0};
};

} // namespace plugrpc
