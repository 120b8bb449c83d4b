// The per-method history behind the debug page's rates and charts: steps
// taken from the counters calls already keep, bounded in length and in the
// number of methods.
#include "server/plugin/loaded_plugin.hpp"
#include "server/registry/registry.hpp"
#include "server/registry/stats_history.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace unit_stats_history {

using namespace plugrpc;
using Approx = Catch::Detail::Approx;

namespace {

const char* const kIntSchema = R"({"type":"integer","format":"int64"})";

// A registry of one plugin serving `n` methods S.M0 ... S.M<n-1>.
Registry registry_of(std::size_t n) {
    auto p = std::make_shared<LoadedPlugin>();
    p->name = "p";
    p->file = "/p.so";
    for (std::size_t i = 0; i < n; ++i) {
        Method m;
        m.service = "S";
        m.name = "M" + std::to_string(i);
        m.full_name = "S." + m.name;
        auto s = parse_schema(std::string_view(kIntSchema));
        m.args = m.reply = s.schema;
        p->methods.push_back(m);
    }
    Registry r;
    std::string error;
    REQUIRE(r.add_plugin(p, error));
    return r;
}

MethodStats& stats(const Registry& r, const std::string& name) { return *r.find(name).method->stats; }

} // namespace

TEST_CASE("stats history: each step holds the calls, errors and latency of that second only", "[history]") {
    Registry r = registry_of(1);
    StatsHistory h;
    MethodStats& s = stats(r, "S.M0");
    for (int i = 0; i < 7; ++i) s.record(1'000'000, false); // before tracking: not in any step
    h.sample(r);
    for (int i = 0; i < 5; ++i) s.record(3'000, i == 0); // 3us
    h.sample(r);
    for (int i = 0; i < 20; ++i) s.record(3'000'000, false); // 3ms
    h.sample(r);
    auto view = h.view();
    const auto* t = view.find(s);
    REQUIRE(t);
    auto steps = t->steps(StatsHistory::Range::Fine);
    REQUIRE(steps.size() == 2);
    CHECK(steps[0].calls == 5);
    CHECK(steps[0].errors == 1);
    CHECK(steps[0].p50 > 2.5e-6);
    CHECK(steps[0].p50 < 5e-6);
    CHECK(steps[1].calls == 20);
    CHECK(steps[1].errors == 0);
    CHECK(steps[1].p50 > 1e-3);
    CHECK(steps[1].p50 < 5e-3);
    CHECK(t->rate(10) == Approx(12.5)); // 25 calls over the 2 steps there are
    CHECK(t->rate(1) == Approx(20.0));
}

TEST_CASE("stats history: 2 minutes of 1 s steps and 10 minutes of 10 s steps, no more", "[history]") {
    Registry r = registry_of(1);
    StatsHistory h;
    MethodStats& s = stats(r, "S.M0");
    h.sample(r);
    for (int i = 0; i < 700; ++i) {
        s.record(1'000, false);
        h.sample(r);
    }
    auto view = h.view();
    const auto* t = view.find(s);
    REQUIRE(t);
    auto fine = t->steps(StatsHistory::Range::Fine);
    auto coarse = t->steps(StatsHistory::Range::Coarse);
    CHECK(fine.size() == StatsHistory::kFineSteps);
    CHECK(coarse.size() == StatsHistory::kCoarseSteps);
    for (const auto& step : fine) CHECK(step.calls == 1);
    for (const auto& step : coarse) CHECK(step.calls == 10);
    CHECK(t->rate() == Approx(1.0));
}

TEST_CASE("stats history: beyond max_series methods are untracked, and a method no longer served is forgotten",
          "[history]") {
    Registry many = registry_of(5);
    StatsHistory h(3);
    h.sample(many);
    {
        auto view = h.view();
        CHECK(view.untracked() == 2);
        CHECK(view.find(stats(many, "S.M0")));
        CHECK_FALSE(view.find(stats(many, "S.M4")));
    }
    Registry other = registry_of(2); // new methods, new counters
    h.sample(other);
    auto view = h.view();
    CHECK(view.untracked() == 0);
    CHECK_FALSE(view.find(stats(many, "S.M0")));
    CHECK(view.find(stats(other, "S.M1")));
}

} // namespace unit_stats_history
