#include "server/net/batched_io.hpp"

#include <liburing.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include <sys/socket.h>

namespace plugrpc {

namespace {

using batched_io_detail::Queued;

// At most this many reads, and as many sends, a look; past it a session
// reads or sends at once.
constexpr unsigned kRingEntries = 256;
constexpr int kFlags = MSG_DONTWAIT | MSG_NOSIGNAL;

struct Op {
    int fd;
    void* data;
    std::size_t size;
    Queued q;
    bool cancelled = false; // not to be made: its result is -ECANCELED
};

struct List {
    std::vector<Op> queued;
    std::vector<Op> flushing; // kept for its capacity
};

// A result no operation gives: the ring did not report this one.
constexpr int kNoResult = INT_MIN;

struct ThreadRing {
    io_uring ring{};
    bool ready = false;
    List sends, recvs;
    std::vector<int> results; // of the flush under way, by position
};

thread_local ThreadRing t;

int plain(bool send, const Op& op) {
    ssize_t n = send ? ::send(op.fd, op.data, op.size, kFlags) : ::recv(op.fd, op.data, op.size, kFlags);
    return n < 0 ? -errno : static_cast<int>(n);
}

void tear_down() {
    if (!t.ready) return;
    io_uring_queue_exit(&t.ring);
    t.ready = false;
}

// Submit the operations not cancelled and reap their completions, which
// come at once: none of them waits. Returns how many the kernel took (the
// first that many submitted, in order; the rest never will be) and sets
// results[i] for each completion reaped.
std::size_t submit(bool send, std::vector<Op>& ops) {
    unsigned n = 0;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        if (ops[i].cancelled) continue;
        ++n;
        io_uring_sqe* sqe = io_uring_get_sqe(&t.ring);
        if (!sqe) return 0; // cannot happen: queue() keeps to the ring's size, and a flush empties it
        if (send) io_uring_prep_send(sqe, ops[i].fd, ops[i].data, ops[i].size, kFlags);
        else io_uring_prep_recv(sqe, ops[i].fd, ops[i].data, ops[i].size, kFlags);
        io_uring_sqe_set_data64(sqe, i);
    }
    if (n == 0) return 0;
    int r;
    do r = io_uring_submit_and_wait(&t.ring, n);
    while (r == -EINTR);
    std::size_t submitted = r < 0 ? 0 : static_cast<std::size_t>(r);
    std::size_t reaped = 0;
    while (reaped < submitted) {
        io_uring_cqe* cqe = nullptr;
        int w = io_uring_wait_cqe(&t.ring, &cqe);
        if (w == -EINTR) continue;
        if (w < 0) break;
        unsigned head;
        unsigned seen = 0;
        io_uring_for_each_cqe(&t.ring, head, cqe) {
            std::uint64_t i = cqe->user_data;
            if (i < ops.size() && t.results[i] == kNoResult) {
                t.results[i] = cqe->res;
                ++reaped;
            }
            ++seen;
        }
        io_uring_cq_advance(&t.ring, seen);
    }
    return submitted;
}

void flush(bool send, List& list) {
    if (list.queued.empty()) return;
    std::vector<Op> ops;
    ops.swap(list.flushing);
    ops.swap(list.queued); // sessions queue afresh from their callbacks
    std::vector<int>& results = t.results; // only the loop flushes: callbacks do not reach here
    results.assign(ops.size(), kNoResult);
    for (std::size_t i = 0; i < ops.size(); ++i)
        if (ops[i].cancelled) results[i] = -ECANCELED;
    std::size_t submitted = submit(send, ops);
    (send ? batched_sends : batched_recvs).fetch_add(submitted, std::memory_order_relaxed);
    if (std::find(results.begin(), results.end(), kNoResult) != results.end()) {
        // The ring failed: no more of it on this thread. What it never took
        // is done here; what it took and did not complete fails (-EIO).
        spdlog::warn("io_uring failed; reads and replies take one syscall each from now on");
        tear_down();
        std::size_t taken = 0; // of the submitted ones, in order
        for (std::size_t i = 0; i < ops.size(); ++i) {
            if (ops[i].cancelled) continue;
            if (results[i] == kNoResult) results[i] = taken < submitted ? -EIO : plain(send, ops[i]);
            ++taken;
        }
    }
    for (std::size_t i = 0; i < ops.size(); ++i) ops[i].q.done(ops[i].q.owner.get(), results[i]);
    ops.clear();
    if (list.flushing.empty()) list.flushing.swap(ops);
}

} // namespace

std::atomic<std::uint64_t> batched_recvs{0}, batched_sends{0};

bool batched_io_detail::room(bool send) {
    return batching_now() && t.ready && (send ? t.sends : t.recvs).queued.size() < kRingEntries;
}

void batched_io_detail::queue(bool send, int fd, void* data, std::size_t size, Queued q) {
    (send ? t.sends : t.recvs).queued.push_back({fd, data, size, std::move(q)});
}

void batched_io_detail::cancel_recv(const void* owner) {
    for (Op& op : t.recvs.queued)
        if (op.q.owner.get() == owner) op.cancelled = true;
}

BatchedIo::BatchedIo() {
    if (t.ready) return; // the thread's ring is up already: the first BatchedIo owns it
    owner_ = true;
    io_uring_params params{};
    int r = io_uring_queue_init_params(kRingEntries, &t.ring, &params);
    if (r < 0) {
        spdlog::info("io_uring not available ({}): reads and replies take one syscall each", std::strerror(-r));
        return;
    }
    t.ready = true;
    t.sends.queued.reserve(kRingEntries);
    t.recvs.queued.reserve(kRingEntries);
}

BatchedIo::~BatchedIo() {
    if (!owner_) return;
    flush_sends();
    drop_recvs();
    tear_down();
}

bool BatchedIo::available() { return t.ready; }
void BatchedIo::flush_recvs() { flush(false, t.recvs); }
void BatchedIo::flush_sends() { flush(true, t.sends); }
bool BatchedIo::recvs_queued() { return !t.recvs.queued.empty(); }
void BatchedIo::drop_recvs() { t.recvs.queued.clear(); }

} // namespace plugrpc
