#include "server/net/io_loop.hpp"

#include "server/net/batched_io.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include <sys/prctl.h>

namespace plugrpc {

std::atomic<std::uint64_t> batched_looks{0};

namespace io_loop_detail {

namespace {
thread_local std::vector<Deferred> deferred;
thread_local std::vector<Deferred> after_answers;
thread_local std::vector<Deferred> look_end;

// Resume what `list` holds now; what they add to it waits for the next time.
void resume_all(std::vector<Deferred>& list) {
    std::vector<Deferred> now;
    now.swap(list);
    for (auto& d : now) d.resume(d.owner.get());
    now.clear();
    if (list.empty()) list.swap(now); // keep the capacity
}
} // namespace

void defer(Deferred d) { deferred.push_back(std::move(d)); }

void defer_to_answer_batch_end(Deferred d) { after_answers.push_back(std::move(d)); }

void end_answer_batch() { resume_all(after_answers); }

void defer_to_look_end(Deferred d) { look_end.push_back(std::move(d)); }

} // namespace io_loop_detail

namespace {

using namespace io_loop_detail;
using Clock = std::chrono::steady_clock;

// Batching is judged over windows of kWindow looks, and goes on while the
// looks found kBatchWorth calls each on average.
constexpr int kWindow = 16;
constexpr std::uint64_t kBatchWorth = 4;
// Handlers run between probes while not batching: at first, and at most.
constexpr std::size_t kFirstProbe = 256;
constexpr std::size_t kLastProbe = std::size_t{1} << 22;

// Start the reads deferred to this look. A resumed read does not defer
// again; a read deferred by a handler this starts waits for the next look.
void resume_deferred() { resume_all(deferred); }

// Leave batching: every deferred read starts now, every queued read is
// made (and none is deferred or queued again).
void stop_batching() {
    state.batching = false;
    BatchedIo::flush_sends();
    resume_all(look_end);
    BatchedIo::flush_recvs();
    resume_deferred();
}

} // namespace

void run_io_loop(boost::asio::io_context& ioc, std::chrono::microseconds wait) {
    struct Running {
        explicit Running(boost::asio::io_context* ioc) { state.loop = ioc; }
        ~Running() { state.loop = nullptr; }
    } running(&ioc);
    if (wait.count() <= 0) {
        ioc.run();
        return;
    }
    // The kernel would otherwise stretch each short sleep by up to 50 µs.
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
    BatchedIo batched_io; // reads and sends queued while batching, made late in a look
    std::size_t between_probes = kFirstProbe;
    for (;;) {
        // Wake per event, as run() does, until the next probe is due.
        for (std::size_t n = 0; n < between_probes; ++n)
            if (ioc.run_one() == 0) return; // stopped
        // Probe, and batch while it pays. Before each look, what is left
        // of `wait` passes; a look that finds nothing to do, with no read
        // deferred, sleeps until something comes, and serves it at once.
        state.batching = true;
        bool paid = false;
        Clock::duration spent = Clock::duration::zero();
        for (;;) {
            std::uint64_t before = state.calls_read;
            for (int look = 0; look < kWindow; ++look) {
                if (spent < wait) std::this_thread::sleep_for(wait - spent);
                Clock::time_point start = Clock::now();
                ++state.looks;
                resume_deferred();
                std::size_t ran = ioc.poll();
                // Reads queued in the last look are made late in this one:
                // their peers had the whole look to send. Then every reply.
                BatchedIo::flush_recvs();
                BatchedIo::flush_sends();
                // What waits for the end of the look goes before the
                // sleep: an isolated plugin's calls of this look run in
                // its process while this thread waits.
                resume_all(look_end);
                if (ran == 0 && deferred.empty() && look_end.empty() && !BatchedIo::recvs_queued()) {
                    if (ioc.run_one() == 0) break; // stopped
                    start = Clock::now();
                    ioc.poll();
                    BatchedIo::flush_sends();
                    resume_all(look_end);
                }
                if (ioc.stopped()) break;
                spent = Clock::now() - start;
            }
            if (ioc.stopped()) {
                // Let go of the sessions while their io_context lives; no read starts.
                state.batching = false;
                deferred.clear();
                look_end.clear();
                BatchedIo::flush_sends();
                BatchedIo::drop_recvs();
                return;
            }
            if (state.calls_read - before < kWindow * kBatchWorth) break;
            paid = true;
            batched_looks.fetch_add(kWindow, std::memory_order_relaxed);
        }
        stop_batching();
        between_probes = paid ? kFirstProbe : std::min(between_probes * 2, kLastProbe);
    }
}

} // namespace plugrpc
