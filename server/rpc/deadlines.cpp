#include "server/rpc/deadlines.hpp"

#include "server/rpc/call_table.hpp"

#include <algorithm>

namespace plugrpc {

void DeadlineQueue::add(Clock::time_point when, plrpc_call* handle) {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    std::size_t stale = stale_.load(std::memory_order_relaxed);
    if (stale > 1024 && stale * 2 > heap_.size()) sweep();
    heap_.push_back({when, handle});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    if (heap_.front().handle == handle) wake_.notify_one();
}

// Drop the entries of calls that have ended: at most twice as many entries
// as calls waiting, plus a little.
void DeadlineQueue::sweep() {
    std::erase_if(heap_, [](const Entry& e) { return !call_table::is_open(e.handle); });
    std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
    stale_.store(0, std::memory_order_relaxed);
}

std::size_t DeadlineQueue::size() const {
    std::lock_guard lock(mu_);
    return heap_.size();
}

void DeadlineQueue::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        heap_.clear();
    }
    wake_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void DeadlineQueue::loop() {
    std::vector<plrpc_call*> due;
    std::unique_lock lock(mu_);
    while (!stopping_) {
        if (heap_.empty()) {
            wake_.wait(lock);
            continue;
        }
        auto now = Clock::now();
        if (Clock::time_point next = heap_.front().when; next > now) {
            // A copy: add() may move the heap while this waits.
            wake_.wait_until(lock, next);
            continue;
        }
        while (!heap_.empty() && heap_.front().when <= now) {
            std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
            due.push_back(heap_.back().handle);
            heap_.pop_back();
        }
        lock.unlock();
        for (plrpc_call* h : due) expire_(h);
        due.clear();
        lock.lock();
    }
}

} // namespace plugrpc
