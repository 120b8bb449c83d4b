#include "daemon/plugin/plugin_threads.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

namespace plugrpc {

struct PluginThreads::State {
    std::mutex mu;
    std::condition_variable idle;
    std::size_t limit = 1;
    bool open = true;
    Id next_id = 1;
    std::set<Id> placed; // running, holding a place
    std::deque<std::pair<Id, Job>> waiting;

    // With `mu` held.
    void start_waiting(const std::shared_ptr<State>& self) {
        while (placed.size() < limit && !waiting.empty()) {
            auto [id, job] = std::move(waiting.front());
            waiting.pop_front();
            start(self, id, std::move(job));
        }
    }

    // With `mu` held.
    static void start(const std::shared_ptr<State>& self, Id id, Job job) {
        self->placed.insert(id);
        std::thread([self, id, job = std::move(job)]() mutable {
            job();
            job = nullptr; // what it captured goes here, before the place is given back
            std::lock_guard lock(self->mu);
            self->placed.erase(id);
            self->start_waiting(self);
            self->idle.notify_all();
        }).detach();
    }

    Id run(const std::shared_ptr<State>& self, Job job) {
        std::unique_lock lock(mu);
        if (!open) {
            lock.unlock();
            job();
            return 0;
        }
        Id id = next_id++;
        if (placed.size() < limit) start(self, id, std::move(job));
        else waiting.emplace_back(id, std::move(job));
        return id;
    }
};

PluginThreads::PluginThreads(std::size_t limit) : state_(std::make_shared<State>()) {
    state_->limit = limit ? limit : 1;
}

PluginThreads::~PluginThreads() {
    std::unique_lock lock(state_->mu);
    state_->idle.wait(lock, [this] { return state_->placed.empty() && state_->waiting.empty(); });
    state_->open = false;
}

PluginThreads::Id PluginThreads::run(Job job) { return state_->run(state_, std::move(job)); }

void PluginThreads::release(Id id) {
    Job dropped; // destroyed unlocked: what it holds may come back here
    std::lock_guard lock(state_->mu);
    if (state_->placed.erase(id) == 0) {
        for (auto it = state_->waiting.begin(); it != state_->waiting.end(); ++it)
            if (it->first == id) {
                dropped = std::move(it->second);
                state_->waiting.erase(it);
                break;
            }
    }
    state_->start_waiting(state_);
    state_->idle.notify_all();
}

std::function<void(PluginThreads::Job)> PluginThreads::runner() const {
    return [state = state_](Job job) { state->run(state, std::move(job)); };
}

} // namespace plugrpc
