#include "server/http/admin_worker.hpp"

#include <utility>

namespace plugrpc {

bool AdminWorker::post(std::function<void()> job) {
    std::lock_guard lock(mu_);
    if (stopped_ || jobs_.size() >= kMaxWaiting) return false;
    jobs_.push_back(std::move(job));
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    wake_.notify_one();
    return true;
}

void AdminWorker::stop() {
    std::deque<std::function<void()>> dropped; // destroyed outside the lock
    std::thread thread;
    {
        std::lock_guard lock(mu_);
        stopped_ = true;
        dropped.swap(jobs_);
        thread = std::move(thread_);
    }
    wake_.notify_all();
    if (thread.joinable()) thread.join();
}

void AdminWorker::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mu_);
            wake_.wait(lock, [this] { return stopped_ || !jobs_.empty(); });
            if (stopped_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        job();
    }
}

} // namespace plugrpc
