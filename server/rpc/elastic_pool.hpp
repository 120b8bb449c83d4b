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
// A task goes straight to the idle thread that went idle last (its stack
// and cache are warm), woken on a condition of its own: no thread wakes to
// find the task taken, and none is started while an idle one is on its
// way. Tasks posted together (post_quiet() then wake()) wake one thread,
// and each thread that takes a task wakes the next for the rest before it
// runs its own: the poster pays one wake-up, not one per task (a network
// thread handing over 16 calls read at once was preempted by nearly every
// thread it woke).
//
// Tasks that wait for a thread (the pool at its bound) wait per source —
// a connection — and sources take turns: a client that floods the pool
// with calls does not queue another client's call behind all of its own.
//
// Threads that exit are joined by the next thread to exit, and the rest by
// join(): none is left detached.
//
// Each thread may run with a timer slack of its own (prctl
// PR_SET_TIMERSLACK): the timed waits of the tasks it runs (a plugin's
// sleep, a poll with a timeout) may end that much late, so that the kernel
// wakes several of them at one timer interrupt. Go's runtime sleeps its
// goroutines on timers of millisecond grain the same way.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <unordered_map>
#include <optional>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <sys/prctl.h>

namespace plugrpc {

template <class Task> // a move-only callable that does not throw
class ElasticPool {
public:
    // `timer_slack` zero: threads keep the slack they inherit from the
    // thread that starts them.
    ElasticPool(unsigned min_threads, unsigned max_threads,
                std::chrono::milliseconds idle = std::chrono::seconds(10),
                std::chrono::nanoseconds timer_slack = std::chrono::nanoseconds::zero())
        : min_(min_threads ? min_threads : 1), max_(max_threads < min_ ? min_ : max_threads), idle_timeout_(idle),
          timer_slack_(timer_slack) {
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
    // `source`: whose task it is, for taking turns while tasks wait.
    void post(Task task, const void* source = nullptr) {
        std::unique_lock lk(mu_);
        if (stopped_) {
            lk.unlock();
            return; // `task` goes out of scope unrun
        }
        if (queued_ == 0 && !idle_.empty()) return hand(lk, std::move(task)); // nothing waits: no queue
        push_locked(std::move(task), source);
        start_one(lk);
    }

    // Queue `task` without starting it: wake() starts what is queued.
    void post_quiet(Task task, const void* source = nullptr) {
        std::unique_lock lk(mu_);
        if (stopped_) {
            lk.unlock();
            return;
        }
        push_locked(std::move(task), source);
    }
    void wake() {
        std::unique_lock lk(mu_);
        start_one(lk);
    }

    // Tasks not yet started are destroyed unrun; threads exit as they finish.
    void stop() {
        Waiting dropped;
        std::vector<Idle*> idle;
        {
            std::lock_guard lk(mu_);
            stopped_ = true;
            dropped.swap(waiting_);
            turns_.clear();
            queued_ = 0;
            idle.swap(idle_);
            for (Idle* w : idle) w->cv.notify_one();
        }
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
    std::size_t idle() const {
        std::lock_guard lk(mu_);
        return idle_.size();
    }
    std::size_t queued() const {
        std::lock_guard lk(mu_);
        return queued_;
    }

private:
    // A thread's place to wait for a task; in idle_ while it waits. Slots
    // outlive their threads (a retired thread's slot goes to a new one): a
    // task handed over under the lock and woken after it is let go never
    // wakes freed memory, at worst a thread that was not waiting for it.
    struct Idle {
        std::condition_variable cv;
        std::optional<Task> task; // handed over by start_one()
    };

    // The queue's first task goes to the latest idle thread, or to a new
    // thread if there is none and room for one; else it waits for a
    // thread to finish. Lets go of the lock.
    void start_one(std::unique_lock<std::mutex>& lk) {
        if (queued_ == 0 || stopped_) return;
        if (idle_.empty()) {
            if (threads_ < max_) spawn_locked();
            return;
        }
        hand(lk, take_locked());
    }

    // `task` to the latest idle thread (there is one). Lets go of the lock.
    void hand(std::unique_lock<std::mutex>& lk, Task&& task) {
        Idle* w = idle_.back();
        idle_.pop_back();
        w->task.emplace(std::move(task));
        lk.unlock();
        // Woken after the lock is let go: a thread woken under it would
        // run only to wait for it (two more context switches a task).
        w->cv.notify_one();
    }

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
        if (timer_slack_.count() > 0) ::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(timer_slack_.count()), 0, 0, 0);
        std::unique_lock lk(mu_);
        Idle& me = take_slot_locked();
        for (;;) {
            if (stopped_) return retire(lk, me);
            std::optional<Task> task;
            if (queued_ > 0) {
                task.emplace(take_locked());
            } else {
                idle_.push_back(&me);
                me.cv.wait_for(lk, idle_timeout_, [&] { return me.task || stopped_; });
                if (me.task) {
                    task.emplace(std::move(*me.task));
                    me.task.reset();
                }
                if (!task || stopped_) {
                    task.reset(); // handed over as the pool stopped: dropped unrun
                    // Still listed unless stop() took the list.
                    if (auto it = std::find(idle_.begin(), idle_.end(), &me); it != idle_.end()) idle_.erase(it);
                    if (!stopped_ && threads_ <= min_) continue;
                    return retire(lk, me);
                }
            }
            // The rest of the queue goes on to the next thread, then this one runs.
            if (queued_ > 0) start_one(lk);
            if (lk.owns_lock()) lk.unlock();
            (*task)();
            task.reset(); // destroyed before the lock is taken again
            lk.lock();
        }
    }

    void push_locked(Task&& task, const void* source) {
        auto it = waiting_.find(source);
        if (it == waiting_.end()) {
            if (spare_.empty()) {
                it = waiting_.try_emplace(source).first;
            } else { // a node kept with its queue's memory: no allocation
                auto node = std::move(spare_.back());
                spare_.pop_back();
                node.key() = source;
                it = waiting_.insert(std::move(node)).position;
            }
            turns_.push_back(source);
        }
        it->second.push_back(std::move(task));
        ++queued_;
    }

    // The next waiting task: the first of the source whose turn it is,
    // which then goes to the back of the turns if it has more.
    Task take_locked() {
        const void* source = turns_.front();
        turns_.pop_front();
        auto it = waiting_.find(source);
        Task task = std::move(it->second.front());
        it->second.pop_front();
        if (!it->second.empty()) turns_.push_back(source);
        else if (spare_.size() < kSpareNodes) spare_.push_back(waiting_.extract(it));
        else waiting_.erase(it);
        --queued_;
        return task;
    }

    Idle& take_slot_locked() {
        if (free_slots_.empty()) return slots_.emplace_back();
        Idle& slot = *free_slots_.back();
        free_slots_.pop_back();
        return slot;
    }

    // This thread leaves: it joins the thread that left before it, and
    // leaves its own handle to the next one (or to join()).
    void retire(std::unique_lock<std::mutex>& lk, Idle& me) {
        free_slots_.push_back(&me);
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
    const std::chrono::nanoseconds timer_slack_;
    mutable std::mutex mu_;
    std::condition_variable all_exited_;  // threads_ reached 0
    using Waiting = std::unordered_map<const void*, std::deque<Task>>;
    static constexpr std::size_t kSpareNodes = 16;
    Waiting waiting_;                     // tasks no thread has taken yet, by source
    std::vector<typename Waiting::node_type> spare_; // emptied sources' nodes, their queues' memory kept
    std::deque<const void*> turns_;       // the sources with tasks waiting, whose turn first
    std::size_t queued_ = 0;              // tasks in waiting_
    std::vector<Idle*> idle_;             // threads waiting for a task, the latest last
    std::deque<Idle> slots_;              // every slot made (a deque: they never move)
    std::vector<Idle*> free_slots_;       // slots of retired threads
    std::map<std::thread::id, std::thread> workers_;
    std::vector<std::thread> exited_;     // left, not yet joined
    std::size_t threads_ = 0;
    bool stopped_ = false;
};

} // namespace plugrpc
