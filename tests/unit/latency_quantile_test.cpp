// Latency quantiles estimated inside the histogram's buckets, as
// Prometheus' histogram_quantile() does: not the buckets' upper bounds.
#include "server/registry/latency_quantile.hpp"
#include "server/registry/registry.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

namespace unit_latency_quantile {

using namespace plugrpc;
using Approx = Catch::Detail::Approx;

TEST_CASE("latency quantile: interpolates linearly inside the bucket that holds the rank", "[quantile]") {
    const std::array<double, 3> bounds{1.0, 2.0, 4.0};
    // 10 calls in (1, 2], none elsewhere: the median is half way, 1.5.
    const std::array<std::uint64_t, 4> counts{0, 10, 0, 0};
    CHECK(latency_quantile(bounds, counts, 0.5) == Approx(1.5));
    CHECK(latency_quantile(bounds, counts, 0.99) == Approx(1.99));
    // 10 in (0, 1] and 10 in (2, 4]: p75 is half way through the third bucket.
    const std::array<std::uint64_t, 4> split{10, 0, 10, 0};
    CHECK(latency_quantile(bounds, split, 0.75) == Approx(3.0));
    CHECK(latency_quantile(bounds, split, 0.25) == Approx(0.5));
}

TEST_CASE("latency quantile: a rank in the +Inf bucket is the highest finite bound, and no calls give 0",
          "[quantile]") {
    const std::array<double, 2> bounds{1.0, 2.0};
    CHECK(latency_quantile(bounds, std::array<std::uint64_t, 3>{0, 0, 5}, 0.5) == 2.0);
    CHECK(latency_quantile(bounds, std::array<std::uint64_t, 3>{0, 0, 0}, 0.5) == 0.0);
}

TEST_CASE("latency quantile: a method's p50 is an estimate, not the bucket's upper bound", "[quantile]") {
    MethodStats s;
    // 100 calls between 25 and 50 microseconds: Go's bucket bound would say <=50us for all of them.
    for (int i = 0; i < 100; ++i) s.record(30'000 + i * 100, false);
    double p50 = s.quantile(0.5), p99 = s.quantile(0.99);
    CHECK(p50 > 25e-6);
    CHECK(p50 < 50e-6);
    CHECK(p50 == Approx(37.5e-6));
    CHECK(p99 < 50e-6);
    CHECK(p99 > p50);
}

} // namespace unit_latency_quantile
