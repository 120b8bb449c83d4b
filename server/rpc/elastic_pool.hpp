// The threads that run blocking methods: as many as the calls waiting
// need, up to a bound, and back down when they are idle.
//
// A blocking method sleeps, waits on I/O or on a lock: a thread is held for
// the whole call whatever it costs in CPU. A fixed pool of 4 made 2,000
// concurrent calls that each sleep 0-19 ms take 4.9 s (Go, a goroutine
// each: 0.1 s), and a quick call queued behind them waited as long. Here a
// task that finds no idle thread starts a new one, up to `max_threads`;
// beyond that tasks queue. A thread idle for `idle` exits, down to
// `min_threads`, which are started at once and stay.
//
// Threads that exit are joined by the next thread to exit, and the rest by
// join(): none is left detached.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace plugrpc {

template <class Task> // a move-only callable that does not throw
class ElasticPool {
public:
    ElasticPool(unsigned min_threads, unsigned max_threads,
                std::chrono::milliseconds idle = std::chrono::seconds(10))
        : min_(min_threads ? min_threads : 1), max_(max_threads < min_ ? min_ : max_threads), idle_timeout_(idle) {
        std::lock_guard lk(mu_);
        for (unsigned i = 0; i < min_; ++i) spawn_locked();
    }
    ~ElasticPool() {
        stop();
        join();
    }
    ElasticPool(const ElasticPool&) = delete;
    ElasticPool& operator=(const ElasticPool&) = delete;

    // Run `task` on a pool thread. After stop(), it is destroyed unrun.
    void post(Task task) {
        std::unique_lock lk(mu_);
        if (stopped_) {
            lk.unlock();
            return; // `task` goes out of scope unrun
        }
        queue_.push_back(std::move(task));
        bool wake = idle_ >= queue_.size();
        if (!wake && threads_ < max_) spawn_locked();
        lk.unlock();
        // Woken after the lock is let go: a thread woken under it would
        // run only to wait for it (two more context switches a task).
        if (wake) cv_.notify_one();
    }

    // Tasks not yet started are destroyed unrun; threads exit as they finish.
    void stop() {
        std::deque<Task> dropped;
        {
            std::lock_guard lk(mu_);
            stopped_ = true;
            dropped.swap(queue_);
        }
        cv_.notify_all();
    }

    // Wait for every thread (after stop()).
    void join() {
        std::vector<std::thread> left;
        {
            std::unique_lock lk(mu_);
            all_exited_.wait(lk, [this] { return threads_ == 0; });
            left.swap(exited_);
        }
        for (auto& t : left)
            if (t.joinable()) t.join();
    }

    std::size_t threads() const {
        std::lock_guard lk(mu_);
        return threads_;
    }
    std::size_t queued() const {
        std::lock_guard lk(mu_);
        return queue_.size();
    }

private:
    void spawn_locked() {
        try {
            std::thread t([this] { work(); });
            auto id = t.get_id();
            workers_.emplace(id, std::move(t));
            ++threads_;
        } catch (const std::system_error&) {
            // No thread to be had (RLIMIT_NPROC, memory): the task waits
            // for one of the threads there are.
        }
    }

    void work() {
        std::unique_lock lk(mu_);
        for (;;) {
            while (queue_.empty() && !stopped_) {
                ++idle_;
                bool timed_out = cv_.wait_for(lk, idle_timeout_) == std::cv_status::timeout;
                --idle_;
                if (timed_out && queue_.empty() && threads_ > min_ && !stopped_) return retire(lk);
            }
            if (stopped_) return retire(lk);
            {
                Task task = std::move(queue_.front());
                queue_.pop_front();
                lk.unlock();
                task();
            } // destroyed before the lock is taken again
            lk.lock();
        }
    }

    // This thread leaves: it joins the thread that left before it, and
    // leaves its own handle to the next one (or to join()).
    void retire(std::unique_lock<std::mutex>& lk) {
        auto self = workers_.extract(std::this_thread::get_id());
        std::vector<std::thread> before;
        before.swap(exited_);
        if (!self.empty()) exited_.push_back(std::move(self.mapped()));
        if (--threads_ == 0) all_exited_.notify_all();
        lk.unlock();
        for (auto& t : before)
            if (t.joinable()) t.join();
    }

    const unsigned min_, max_;
    const std::chrono::milliseconds idle_timeout_;
    mutable std::mutex mu_;
    std::condition_variable cv_;          // a task, or stop
    std::condition_variable all_exited_;  // threads_ reached 0
    std::deque<Task> queue_;
    std::map<std::thread::id, std::thread> workers_;
    std::vector<std::thread> exited_;     // left, not yet joined
    std::size_t threads_ = 0;
    std::size_t idle_ = 0;                // threads waiting for a task
    bool stopped_ = false;
};

} // namespace plugrpc
