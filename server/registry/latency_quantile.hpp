// A latency quantile estimated from histogram buckets as Prometheus'
// histogram_quantile() does: find the bucket that holds the rank, then
// interpolate linearly between its lower and upper bounds. A rank in the
// +Inf bucket is given the highest finite bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace plugrpc {

// `counts[i]` calls fell in bucket i (not cumulative): at most `bounds[i]`
// seconds and more than `bounds[i-1]` (0 for the first); the last count, one
// more than there are bounds, is the +Inf bucket. Seconds; 0 without calls.
double latency_quantile(std::span<const double> bounds, std::span<const std::uint64_t> counts, double q);

} // namespace plugrpc
