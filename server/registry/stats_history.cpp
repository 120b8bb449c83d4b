#include "server/registry/stats_history.hpp"

#include "server/registry/latency_quantile.hpp"

#include <algorithm>
#include <limits>

namespace plugrpc {
namespace {

std::uint32_t narrow(std::uint64_t n) {
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(n, std::numeric_limits<std::uint32_t>::max()));
}

template <class Counts>
StatsStep make_step(std::uint64_t calls, std::uint64_t errors, const Counts& buckets) {
    return {narrow(calls), narrow(errors), float(latency_quantile(kLatencyBounds, buckets, 0.5)),
            float(latency_quantile(kLatencyBounds, buckets, 0.99))};
}

// Counters only grow; a smaller value (never expected) counts as none.
std::uint64_t since(std::uint64_t now, std::uint64_t before) { return now > before ? now - before : 0; }

template <class Ring>
std::vector<StatsStep> oldest_first(const Ring& ring, std::uint64_t taken) {
    std::size_t n = std::min<std::uint64_t>(taken, ring.size());
    std::vector<StatsStep> out;
    out.reserve(n);
    for (std::uint64_t i = taken - n; i < taken; ++i) out.push_back(ring[i % ring.size()]);
    return out;
}

} // namespace

void StatsHistory::sample(const Registry& registry) {
    std::lock_guard lock(mu_);
    ++samples_;
    // Step the methods tracked, forget those no longer served, then track
    // new ones while there is room: a reload frees its old methods' slots.
    std::vector<const std::shared_ptr<MethodStats>*> fresh;
    for (const auto& [sname, svc] : registry.services())
        for (const auto& [mname, m] : svc.methods) {
            auto it = tracks_.find(m->stats.get());
            if (it == tracks_.end()) {
                fresh.push_back(&m->stats);
                continue;
            }
            it->second->seen_ = samples_;
            step(*it->second, *m->stats);
        }
    std::erase_if(tracks_, [&](const auto& entry) { return entry.second->seen_ != samples_; });
    untracked_ = 0;
    for (const auto* stats : fresh) {
        if (tracks_.size() >= max_series_) {
            ++untracked_;
            continue;
        }
        // Starts from the counters as they are: its first step counts from here.
        const MethodStats& now = **stats;
        auto t = std::make_unique<Track>();
        t->stats_ = *stats;
        t->calls_ = now.calls.load(std::memory_order_relaxed);
        t->errors_ = now.errors.load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < t->buckets_.size(); ++i)
            t->buckets_[i] = now.buckets[i].load(std::memory_order_relaxed);
        t->seen_ = samples_;
        tracks_.emplace(stats->get(), std::move(t));
    }
}

void StatsHistory::step(Track& t, const MethodStats& now) {
    std::uint64_t calls = now.calls.load(std::memory_order_relaxed);
    std::uint64_t errors = now.errors.load(std::memory_order_relaxed);
    Counts buckets, delta;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        buckets[i] = now.buckets[i].load(std::memory_order_relaxed);
        delta[i] = since(buckets[i], t.buckets_[i]);
        t.pending_buckets_[i] += delta[i];
    }
    std::uint64_t dc = since(calls, t.calls_), de = since(errors, t.errors_);
    t.fine_[t.fine_taken_++ % kFineSteps] = make_step(dc, de, delta);
    t.pending_calls_ += dc;
    t.pending_errors_ += de;
    if (t.fine_taken_ % kCoarseEvery == 0) {
        t.coarse_[t.coarse_taken_++ % kCoarseSteps] = make_step(t.pending_calls_, t.pending_errors_, t.pending_buckets_);
        t.pending_calls_ = t.pending_errors_ = 0;
        t.pending_buckets_ = {};
    }
    t.calls_ = calls;
    t.errors_ = errors;
    t.buckets_ = buckets;
}

const StatsHistory::Track* StatsHistory::View::find(const MethodStats& stats) const {
    auto it = h_.tracks_.find(&stats);
    return it == h_.tracks_.end() ? nullptr : it->second.get();
}

double StatsHistory::Track::rate(std::size_t seconds) const {
    std::size_t n = std::min<std::uint64_t>({seconds, fine_taken_, kFineSteps});
    if (n == 0) return 0;
    std::uint64_t calls = 0;
    for (std::uint64_t i = fine_taken_ - n; i < fine_taken_; ++i) calls += fine_[i % kFineSteps].calls;
    return double(calls) / double(n);
}

std::vector<StatsStep> StatsHistory::Track::steps(Range range) const {
    return range == Range::Fine ? oldest_first(fine_, fine_taken_) : oldest_first(coarse_, coarse_taken_);
}

} // namespace plugrpc
