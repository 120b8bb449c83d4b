// Reads and sends gathered over one look of a batching network thread, and
// made with one syscall each way.
//
// While a thread batches (net/io_loop.hpp), one look serves many
// connections, and each was one recv() and one send(): on a virtual
// machine a syscall's entry and exit cost about as much as the kernel's
// TCP work for a small request or reply. So a session may queue its next
// read or its reply here instead. Late in each look, after the events,
// the loop submits every read queued in the last look to the thread's
// io_uring with one io_uring_enter (the peers had a whole look to send),
// then every queued send with another, and hands each session its result
// (received(), sent()).
//
// Each operation is tried once and never waits: the sockets are
// non-blocking and MSG_DONTWAIT says so again. A read with nothing there
// comes back -EAGAIN, and the session waits for the socket through Asio as
// before; a send to a full socket comes back short or -EAGAIN, and the
// session writes the rest through Asio, as after a short send(). Nothing
// stays in flight in the ring after a flush, so a buffer need only live
// until its result is handed over.
//
// Without io_uring (an old kernel, a seccomp filter, io_uring disabled by
// sysctl) queue_*() say no, and sessions read and send as before.
#pragma once

#include "server/net/io_loop.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace plugrpc {

namespace batched_io_detail {
struct Queued {
    std::shared_ptr<void> owner;
    void (*done)(void*, int result); // bytes moved (0: end of stream), or -errno
};
// This thread batches and its ring has room for one more read (send).
bool room(bool send);
void queue(bool send, int fd, void* data, std::size_t size, Queued q);
void cancel_recv(const void* owner);
} // namespace batched_io_detail

// Reads and sends made through the rings of every network thread (for /metrics).
extern std::atomic<std::uint64_t> batched_recvs, batched_sends;

// Called by a session on its thread. True: the send of `size` bytes at
// `data` on `fd` is queued, and the loop calls session.sent(result) at the
// end of this look (bytes sent, or -errno); the bytes must stay put until
// then. False: not batching now, no ring on this thread, or the ring is
// full; send as usual.
template <class S>
bool queue_send(S& session, int fd, const void* data, std::size_t size) {
    if (!batched_io_detail::room(true)) return false; // the session is shared only when queued
    batched_io_detail::queue(true, fd, const_cast<void*>(data), size,
                             {session.shared_from_this(), [](void* p, int r) { static_cast<S*>(p)->sent(r); }});
    return true;
}

// The same for a read of at most `size` bytes into `data`: the loop calls
// session.received(result) late in the next look (bytes read, 0 at
// the end of the stream, or -errno: -EAGAIN if nothing was there). Until
// then the session must leave the buffer alone.
template <class S>
bool queue_recv(S& session, int fd, void* data, std::size_t size) {
    if (!batched_io_detail::room(false)) return false;
    batched_io_detail::queue(false, fd, data, size,
                             {session.shared_from_this(), [](void* p, int r) { static_cast<S*>(p)->received(r); }});
    return true;
}

// The session's queued read is not to be made: received(-ECANCELED) comes
// at the flush all the same (the buffer stays the session's until then).
template <class S>
void cancel_queued_recv(S& session) {
    batched_io_detail::cancel_recv(&session);
}

// For the loop: this thread's batches, set up and torn down with the loop.
class BatchedIo {
public:
    BatchedIo();  // sets up this thread's ring; without one, queue_*() say no
    ~BatchedIo(); // flushes the sends, drops the reads, and tears it down
    BatchedIo(const BatchedIo&) = delete;
    BatchedIo& operator=(const BatchedIo&) = delete;

    // This thread has a ring (for tests and the log).
    static bool available();

    // Make every queued read (resp. send) with one syscall and hand each
    // session its result. Sessions may queue again meanwhile: those wait
    // for the next flush.
    static void flush_recvs();
    static void flush_sends();
    // Reads are queued.
    static bool recvs_queued();
    // Forget the queued reads (the io_context stops): their sessions are let go.
    static void drop_recvs();

private:
    bool owner_ = false;
};

} // namespace plugrpc
