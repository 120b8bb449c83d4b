// Calls per second and latency over the last minutes, per method, for the
// debug page and its dashboard.
//
// sample() is called once a second (by the network's control thread). It
// reads the counters every call already keeps (MethodStats: calls, errors,
// latency buckets), so the call path pays nothing for the history. Each step
// keeps the calls, the errors and the p50/p99 latency estimated from the
// calls of that step alone.
//
// Bounded: 120 steps of 1 s (the last 2 minutes) and 60 steps of 10 s (the
// last 10 minutes) per method, about 3 KB, for at most `max_series` methods
// (1,000 by default: 3 MB at most). Methods beyond that (in name order) are
// counted as untracked and shown without rate or chart.
#pragma once

#include "server/registry/registry.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace plugrpc {

// One step of one method's history.
struct StatsStep {
    std::uint32_t calls = 0;  // answered in the step
    std::uint32_t errors = 0; // ... of which errors
    float p50 = 0;            // seconds, estimated from the step's calls; 0 without calls
    float p99 = 0;
};

class StatsHistory {
public:
    static constexpr std::size_t kFineSteps = 120;  // of 1 s
    static constexpr std::size_t kCoarseEvery = 10; // fine steps per coarse step
    static constexpr std::size_t kCoarseSteps = 60; // of 10 s
    static constexpr std::size_t kMaxSeries = 1000;

    enum class Range { Fine, Coarse };

    explicit StatsHistory(std::size_t max_series = kMaxSeries) : max_series_(max_series) {}

    // Take one fine step of every method `registry` serves. Methods no
    // longer served are forgotten.
    void sample(const Registry& registry);

    // The history of one method, read under the history's lock.
    class Track;
    class View {
    public:
        // Null when `stats` is not tracked (not yet sampled, or beyond max_series).
        const Track* find(const MethodStats& stats) const;
        std::size_t untracked() const { return h_.untracked_; }

    private:
        friend class StatsHistory;
        explicit View(const StatsHistory& h) : h_(h), lock_(h.mu_) {}
        const StatsHistory& h_;
        std::unique_lock<std::mutex> lock_;
    };
    View view() const { return View(*this); }

private:
    using Counts = std::array<std::uint64_t, kLatencyBounds.size() + 1>;
    void step(Track& t, const MethodStats& now);

    mutable std::mutex mu_;
    std::size_t max_series_;
    std::unordered_map<const MethodStats*, std::unique_ptr<Track>> tracks_;
    std::uint64_t samples_ = 0;
    std::size_t untracked_ = 0;
};

class StatsHistory::Track {
public:
    // Calls per second over the last `seconds` fine steps (fewer if the
    // history is younger; 0 before the first step).
    double rate(std::size_t seconds = 10) const;
    // Oldest first: up to kFineSteps or kCoarseSteps steps.
    std::vector<StatsStep> steps(Range range) const;

private:
    friend class StatsHistory;
    std::shared_ptr<const MethodStats> stats_; // kept while tracked: the key stays unique
    std::uint64_t seen_ = 0;                   // the sample that last found it served
    std::uint64_t calls_ = 0, errors_ = 0;     // counters at the last step
    Counts buckets_{};
    std::array<StatsStep, kFineSteps> fine_{};
    std::uint64_t fine_taken_ = 0;
    std::array<StatsStep, kCoarseSteps> coarse_{};
    std::uint64_t coarse_taken_ = 0;
    // The coarse step being gathered.
    std::uint64_t pending_calls_ = 0, pending_errors_ = 0;
    Counts pending_buckets_{};
};

} // namespace plugrpc
