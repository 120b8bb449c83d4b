#include "server/registry/latency_quantile.hpp"

#include <algorithm>

namespace plugrpc {

double latency_quantile(std::span<const double> bounds, std::span<const std::uint64_t> counts, double q) {
    std::uint64_t total = 0;
    for (auto c : counts) total += c;
    if (total == 0 || bounds.empty()) return 0;
    double rank = std::clamp(q, 0.0, 1.0) * double(total);
    double below = 0; // calls in the buckets before i
    for (std::size_t i = 0; i < counts.size(); ++i) {
        double in = double(counts[i]);
        if (in > 0 && below + in >= rank) {
            if (i >= bounds.size()) return bounds.back();
            double lower = i == 0 ? 0.0 : bounds[i - 1];
            return lower + (bounds[i] - lower) * (rank - below) / in;
        }
        below += in;
    }
    return bounds.back();
}

} // namespace plugrpc
