#include "net/send_batch.hpp"

#include <liburing.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <sys/socket.h>

namespace plugrpc {

namespace {

using send_batch_detail::Queued;

// At most this many sends a look; a session past it sends at once.
constexpr unsigned kRingEntries = 256;

struct Send {
    int fd;
    const void* data;
    std::size_t size;
    Queued q;
};

struct ThreadBatch {
    io_uring ring{};
    bool ready = false;
    std::vector<Send> queued;
    std::vector<Send> flushing; // kept for its capacity
    std::vector<int> results;
    std::vector<char> done;
};

thread_local ThreadBatch batch;

int plain_send(const Send& s) {
    ssize_t n = ::send(s.fd, s.data, s.size, MSG_DONTWAIT | MSG_NOSIGNAL);
    return n < 0 ? -errno : static_cast<int>(n);
}

void tear_down() {
    if (!batch.ready) return;
    io_uring_queue_exit(&batch.ring);
    batch.ready = false;
}

// Submit the sends and reap their completions, which come at once: none
// of them waits. Returns how many the kernel took (sends[0, that) were
// submitted; the rest never will be) and sets results[i] and done[i] for
// each completion reaped.
std::size_t submit(std::vector<Send>& sends, std::vector<int>& results, std::vector<char>& done) {
    for (std::size_t i = 0; i < sends.size(); ++i) {
        io_uring_sqe* sqe = io_uring_get_sqe(&batch.ring);
        if (!sqe) return 0; // cannot happen: queue() keeps to the ring's size, and a flush empties it
        io_uring_prep_send(sqe, sends[i].fd, sends[i].data, sends[i].size, MSG_DONTWAIT | MSG_NOSIGNAL);
        io_uring_sqe_set_data64(sqe, i);
    }
    int r;
    do r = io_uring_submit_and_wait(&batch.ring, static_cast<unsigned>(sends.size()));
    while (r == -EINTR);
    std::size_t submitted = r < 0 ? 0 : static_cast<std::size_t>(r);
    std::size_t reaped = 0;
    while (reaped < submitted) {
        io_uring_cqe* cqe = nullptr;
        int w = io_uring_wait_cqe(&batch.ring, &cqe);
        if (w == -EINTR) continue;
        if (w < 0) break;
        unsigned head;
        unsigned seen = 0;
        io_uring_for_each_cqe(&batch.ring, head, cqe) {
            std::uint64_t i = cqe->user_data;
            if (i < sends.size() && !done[i]) {
                results[i] = cqe->res;
                done[i] = 1;
                ++reaped;
            }
            ++seen;
        }
        io_uring_cq_advance(&batch.ring, seen);
    }
    return submitted;
}

} // namespace

bool send_batch_detail::queue(int fd, const void* data, std::size_t size, Queued q) {
    if (!batch.ready || batch.queued.size() >= kRingEntries) return false;
    batch.queued.push_back({fd, data, size, std::move(q)});
    return true;
}

SendBatch::SendBatch() {
    io_uring_params params{};
    int r = io_uring_queue_init_params(kRingEntries, &batch.ring, &params);
    if (r < 0) {
        spdlog::info("io_uring not available ({}): replies are sent one syscall each", std::strerror(-r));
        return;
    }
    batch.ready = true;
    batch.queued.reserve(kRingEntries);
}

SendBatch::~SendBatch() {
    flush();
    tear_down();
}

bool SendBatch::available() { return batch.ready; }

void SendBatch::flush() {
    if (batch.queued.empty()) return;
    std::vector<Send> sends;
    sends.swap(batch.flushing);
    sends.swap(batch.queued); // senders queue afresh from sent()
    std::vector<int>& results = batch.results;
    results.assign(sends.size(), -EIO);
    std::vector<char>& done = batch.done;
    done.assign(sends.size(), 0);
    std::size_t submitted = submit(sends, results, done);
    if (submitted < sends.size() || std::find(done.begin(), done.end(), 0) != done.end()) {
        // The ring failed: no more of it on this thread. What it never took
        // is sent here; what it took and did not complete fails (-EIO).
        spdlog::warn("io_uring failed; replies are sent one syscall each from now on");
        tear_down();
        for (std::size_t i = submitted; i < sends.size(); ++i) results[i] = plain_send(sends[i]);
    }
    for (std::size_t i = 0; i < sends.size(); ++i) sends[i].q.sent(sends[i].q.owner.get(), results[i]);
    sends.clear();
    if (batch.flushing.empty()) batch.flushing.swap(sends);
}

} // namespace plugrpc
