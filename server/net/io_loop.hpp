// A network thread's loop: io_context::run(), plus batching by delay.
//
// A server faster than its clients wakes for nearly every request: epoll
// reports one socket, one read finds one or two requests, one write
// answers them, and the thread sleeps again. On a virtual machine the
// sleep, the wake-up and the syscalls cost more than the calls
// (bench/RESULTS.md, session 6). So when calls come from several sources
// at once, the loop stops chasing each one: it looks for work at most once
// per `wait`, and a stream connection is read at most once per look (its
// next read is deferred to the next look), so each read takes every
// request the peer sent meanwhile and each write answers all of them, as
// a network card coalesces interrupts. A call then waits at most `wait`
// longer before it is read.
//
// Whether to batch is decided by probing, not guessed: now and then the
// loop batches for a window of looks and counts the calls they found
// (note_call()); it goes on while the looks find several calls each, and
// otherwise goes back to waking per event, probing again later and later.
// A lone client with one call in flight, which no delay can batch, pays
// the delay during probes only, 16 calls each: probes come after 256
// events, then twice as far apart each time, and at most once per 4
// million events (about 1 % of its first ten thousand calls, 0.2 % of its
// first hundred thousand, then ever fewer).
#pragma once

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace plugrpc {

namespace io_loop_detail {
struct Deferred {
    std::shared_ptr<void> owner;
    void (*resume)(void*);
};
struct ThreadState {
    std::uint64_t calls_read = 0;
    std::uint64_t looks = 0; // probes' and batches'
    bool batching = false;
    boost::asio::io_context* loop = nullptr; // the loop this thread runs
    int answer_batches = 0;                  // AnswerBatch scopes open on this thread
};
inline thread_local ThreadState state;
void defer(Deferred d); // to the start of the next look
// To the end of this look, after its reads and sends and before the
// loop sleeps (at once when the loop stops batching).
void defer_to_look_end(Deferred d);
void defer_to_answer_batch_end(Deferred d);
void end_answer_batch();
} // namespace io_loop_detail

// Answers that arrive together — a batch read from an isolated plugin's
// channel — are written together: while an AnswerBatch is open on this
// thread, a session answered outside its own processing waits for the
// batch's end (defer_resume()) to write, so one write carries all of its
// answers in the batch instead of one each.
class AnswerBatch {
public:
    AnswerBatch() noexcept { ++io_loop_detail::state.answer_batches; }
    ~AnswerBatch() {
        if (--io_loop_detail::state.answer_batches == 0) io_loop_detail::end_answer_batch();
    }
    AnswerBatch(const AnswerBatch&) = delete;
    AnswerBatch& operator=(const AnswerBatch&) = delete;
};

// Called by a session answered outside its own processing: true when an
// AnswerBatch is open, which then calls its resume() at its end (once, as
// long as the session does not ask again before that).
template <class S>
bool defer_resume(S& session) {
    if (io_loop_detail::state.answer_batches == 0) return false;
    io_loop_detail::defer_to_answer_batch_end(
        {session.shared_from_this(), [](void* p) { static_cast<S*>(p)->resume_after_batch(); }});
    return true;
}

// Looks made in windows that found batching worth it, by every network
// thread (for /metrics; probes that found it not worth it are not counted).
extern std::atomic<std::uint64_t> batched_looks;

// The io_context this thread runs in run_io_loop(), or null on any other
// thread: work that arises here can be watched by this same loop.
inline boost::asio::io_context* current_io_loop() noexcept { return io_loop_detail::state.loop; }

// For tests: this thread's loop is probing or batching; the looks it made so far.
inline bool batching_now() noexcept { return io_loop_detail::state.batching; }
inline std::uint64_t looks_made() noexcept { return io_loop_detail::state.looks; }

// A session read one request on this thread (counted for the probes).
inline void note_call() noexcept { ++io_loop_detail::state.calls_read; }

// Called by a stream session, on its thread, before it starts a read.
// False: read now. True: the loop is batching, holds the session and calls
// its resume_read() at the next look; the session must not start the read
// itself meanwhile. (The session is shared only when deferred: no atomic
// count per read otherwise.)
template <class S>
bool defer_read(S& session) {
    if (!io_loop_detail::state.batching) return false;
    io_loop_detail::defer({session.shared_from_this(), [](void* p) { static_cast<S*>(p)->resume_read(); }});
    return true;
}

// Run `ioc` on this thread until it is stopped. `wait` zero: plain
// io_context::run(), with no batching.
void run_io_loop(boost::asio::io_context& ioc, std::chrono::microseconds wait);

} // namespace plugrpc
