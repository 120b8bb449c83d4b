// Sends gathered over one look of a batching network thread, and made with
// one syscall.
//
// While a thread batches (net/io_loop.hpp), one look serves many
// connections, and each answer was one send(): on a virtual machine the
// syscall's entry and exit cost about as much as the kernel's TCP work for
// a small reply. So a session may queue its reply here instead; at the end
// of the look the loop submits every queued send to the thread's io_uring
// with one io_uring_enter, and hands each session its result.
//
// Each send is tried once and never waits: a socket whose buffer is full
// comes back short or with EAGAIN (the sockets are non-blocking, and
// MSG_DONTWAIT says so again), and the session writes the rest as it
// would have after a short send(). Nothing stays in flight in the ring
// after a flush, so a session's buffer need only live until its sent().
//
// Without io_uring (an old kernel, a seccomp filter, io_uring disabled by
// sysctl) queue_send() says no, and sessions send as before.
#pragma once

#include "net/io_loop.hpp"

#include <cstddef>
#include <memory>

namespace plugrpc {

namespace send_batch_detail {
struct Queued {
    std::shared_ptr<void> owner;
    void (*sent)(void*, int result); // bytes sent, or -errno
};
bool queue(int fd, const void* data, std::size_t size, Queued q);
} // namespace send_batch_detail

// Called by a session on its thread. True: the send of `size` bytes at
// `data` on `fd` is queued, and the loop calls session.sent(result) at the
// end of this look (bytes sent, or -errno); the bytes must stay put until
// then. False: not batching now, no ring on this thread, or the ring is
// full; send as usual.
template <class S>
bool queue_send(S& session, int fd, const void* data, std::size_t size) {
    if (!batching_now()) return false;
    return send_batch_detail::queue(
        fd, data, size, {session.shared_from_this(), [](void* p, int r) { static_cast<S*>(p)->sent(r); }});
}

// For the loop: this thread's batch, set up and torn down with the loop.
class SendBatch {
public:
    SendBatch();  // sets up this thread's ring; without one, queue_send() says no
    ~SendBatch(); // flushes, and tears it down
    SendBatch(const SendBatch&) = delete;
    SendBatch& operator=(const SendBatch&) = delete;

    // This thread has a ring (for tests and the log).
    static bool available();

    // Submit every queued send with one syscall and call each sender's sent().
    // Senders may queue again from sent(): those wait for the next flush.
    static void flush();
};

} // namespace plugrpc
