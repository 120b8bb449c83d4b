// The network loop's batching by delay (net/io_loop.hpp), without sockets:
// stand-ins for stream sessions whose reads complete through the handler
// queue, as Asio's do, and ask for the next read at once, as sessions do.
#include "server/net/io_loop.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_io_loop {

using namespace plugrpc;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kWait = 2ms;

struct Source : std::enable_shared_from_this<Source> {
    Source(asio::io_context& i, int calls) : ioc(i), calls_per_read(calls) {}

    void read(bool may_defer = true) {
        if (stopped) return;
        if (may_defer && defer_read(*this)) return;
        asio::post(ioc, [self = shared_from_this()] { self->on_read(); });
    }
    void resume_read() { read(false); }

    void on_read() {
        ++reads;
        for (int i = 0; i < calls_per_read; ++i) note_call();
        if (batching_now()) batched_reads.push_back(Clock::now());
        read();
    }

    asio::io_context& ioc;
    int calls_per_read;
    bool stopped = false;
    std::size_t reads = 0;
    std::vector<Clock::time_point> batched_reads;
};

using Sources = std::vector<std::shared_ptr<Source>>;

Sources start_sources(asio::io_context& ioc, int n, int calls_per_read) {
    Sources s;
    for (int i = 0; i < n; ++i) {
        s.push_back(std::make_shared<Source>(ioc, calls_per_read));
        s.back()->read();
    }
    return s;
}

// Run `f` on the loop's thread after `after`.
template <class F>
std::shared_ptr<asio::steady_timer> at(asio::io_context& ioc, std::chrono::milliseconds after, F f) {
    auto t = std::make_shared<asio::steady_timer>(ioc, after);
    t->async_wait([f](boost::system::error_code ec) {
        if (!ec) f();
    });
    return t;
}

} // namespace

TEST_CASE("io loop: sources that each bring calls are batched: each read at most once per wait", "[net]") {
    auto ioc = std::make_unique<asio::io_context>(1);
    Sources sources = start_sources(*ioc, 4, 2); // 8 calls a look: worth batching
    std::uint64_t looks_before = batched_looks.load();
    auto stop = at(*ioc, 300ms, [&] { ioc->stop(); });
    run_io_loop(*ioc, kWait);

    CHECK(batched_looks.load() - looks_before >= 32);
    for (const auto& s : sources) {
        std::size_t close_pairs = 0;
        for (std::size_t i = 1; i < s->batched_reads.size(); ++i)
            if (s->batched_reads[i] - s->batched_reads[i - 1] < kWait / 2) ++close_pairs;
        INFO("reads " << s->reads << ", batched " << s->batched_reads.size() << ", " << close_pairs
                      << " of them less than wait/2 after the one before");
        CHECK(s->batched_reads.size() >= 20);
        // A look that ran longer than a wait (the thread preempted, say) is
        // followed at once by the next: allow a few close pairs. Unbatched,
        // nearly every pair is close.
        CHECK(close_pairs * 10 <= s->batched_reads.size());
    }
    // Stopped while batching: the loop let go of the reads it held (reads
    // queued in the io_context go with it).
    CHECK_FALSE(batching_now());
    stop.reset();
    ioc.reset();
    for (const auto& s : sources) CHECK(s.use_count() == 1);
}

TEST_CASE("io loop: a lone source with one call a read is served at once, not batched", "[net]") {
    asio::io_context ioc(1);
    Sources sources = start_sources(ioc, 1, 1);
    std::uint64_t looks_before = looks_made(), batched_before = batched_looks.load();
    auto stop = at(ioc, 300ms, [&] { ioc.stop(); });
    run_io_loop(ioc, kWait);
    CHECK(looks_made() > looks_before); // it was probed ...
    CHECK(batched_looks.load() == batched_before); // ... and found not worth batching
    const Source& s = *sources[0];
    INFO("reads " << s.reads << ", batched " << s.batched_reads.size());
    // Batched, it could read 150 times; unbatched, it reads as fast as the
    // queue turns. Only the probes (16 looks each, further and further
    // apart) batch it.
    CHECK(s.reads > 5000);
    CHECK(s.batched_reads.size() * 20 < s.reads);
    CHECK(s.batched_reads.size() < 16 * 10);
}

TEST_CASE("io loop: when the looks stop finding calls, every deferred read starts and no source is left behind",
          "[net]") {
    asio::io_context ioc(1);
    Sources sources = start_sources(ioc, 4, 2);
    std::vector<std::size_t> reads_at_switch;
    bool batching_at_switch = false;
    auto quiet = at(ioc, 150ms, [&] {
        batching_at_switch = batching_now();
        for (auto& s : sources) {
            s->calls_per_read = 0; // reads go on, and find nothing
            reads_at_switch.push_back(s->reads);
        }
    });
    auto stop = at(ioc, 450ms, [&] { ioc.stop(); });
    run_io_loop(ioc, kWait);

    CHECK(batching_at_switch);
    REQUIRE(reads_at_switch.size() == sources.size());
    for (std::size_t i = 0; i < sources.size(); ++i) {
        INFO("source " << i << ": " << reads_at_switch[i] << " reads at the switch, " << sources[i]->reads
                       << " at the end");
        // Batched, 300 ms allow at most 150 reads each; these run free again
        // (but for the probes, now and then, which find nothing).
        CHECK(sources[i]->reads - reads_at_switch[i] > 500);
    }
}

TEST_CASE("io loop: an idle loop sleeps until something happens, batching or not", "[net]") {
    asio::io_context ioc(1);
    Sources sources = start_sources(ioc, 4, 2);
    std::uint64_t looks[4] = {};
    bool batching_at_idle = false, batching_soon_after = false;
    auto idle = at(ioc, 150ms, [&] {
        batching_at_idle = batching_now();
        for (auto& s : sources) s->stopped = true; // no more reads
    });
    // Still within the window of 16 looks (32 ms) that judges the batching ...
    auto a = at(ioc, 152ms, [&] { looks[0] = looks_made(); });
    auto b = at(ioc, 172ms, [&] {
        looks[1] = looks_made();
        batching_soon_after = batching_now();
    });
    // ... and long after it.
    auto c = at(ioc, 250ms, [&] { looks[2] = looks_made(); });
    auto d = at(ioc, 450ms, [&] { looks[3] = looks_made(); });
    auto stop = at(ioc, 460ms, [&] { ioc.stop(); });
    run_io_loop(ioc, kWait);

    CHECK(batching_at_idle);
    CHECK(batching_soon_after);
    // Looking every 2 ms would make 10 and 100 looks; a sleeping loop looks
    // once per timer that wakes it.
    CHECK(looks[1] - looks[0] <= 2);
    CHECK(looks[3] - looks[2] <= 2);
}

namespace {
// Something a handler leaves to the end of its look (an isolated plugin's
// calls, written before the loop sleeps): in which look, and when it ran.
struct LookEnd {
    bool batching = false; // when it was left
    std::uint64_t left_in = 0, ran_in = 0;
    bool ran = false;
    void leave() {
        batching = batching_now();
        left_in = looks_made();
        io_loop_detail::defer_to_look_end({std::shared_ptr<void>(std::shared_ptr<void>(), this), [](void* p) {
                                               auto* self = static_cast<LookEnd*>(p);
                                               self->ran = true;
                                               self->ran_in = looks_made();
                                           }});
    }
};
} // namespace

TEST_CASE("io loop: work left to the end of a look runs in that look, busy or idle", "[net]") {
    asio::io_context ioc(1);
    Sources sources = start_sources(ioc, 4, 2);
    LookEnd busy, idle;
    // While the sources keep the loop batching ...
    auto a = at(ioc, 100ms, [&] { busy.leave(); });
    // ... and from the event that woke a loop that waits for one, still
    // within the window of 16 looks (32 ms) that judges the batching: the
    // loop would otherwise wait for its next event (the stop) first.
    auto quiet = at(ioc, 150ms, [&] {
        for (auto& s : sources) s->stopped = true;
    });
    auto b = at(ioc, 160ms, [&] { idle.leave(); });
    auto stop = at(ioc, 450ms, [&] { ioc.stop(); });
    run_io_loop(ioc, kWait);

    REQUIRE(busy.batching);
    CHECK(busy.ran);
    CHECK(busy.ran_in == busy.left_in);
    REQUIRE(idle.batching);
    CHECK(idle.ran);
    CHECK(idle.ran_in == idle.left_in);
}

TEST_CASE("io loop: batch_wait 0 is io_context::run(): nothing is deferred", "[net]") {
    asio::io_context ioc(1);
    Sources sources = start_sources(ioc, 4, 2);
    std::uint64_t looks_before = looks_made();
    auto stop = at(ioc, 100ms, [&] { ioc.stop(); });
    run_io_loop(ioc, 0us);
    CHECK(looks_made() == looks_before);
    for (const auto& s : sources) CHECK(s->batched_reads.empty());
}

} // namespace unit_io_loop
