// Telling Asio's reactor that a socket was just read dry.
//
// Asio registers a socket with epoll once, edge-triggered. To wait for the
// next bytes, a session has two ways in its public API, and each costs one
// system call per wait that the bare epoll loop of bench/echo does not make:
// async_wait re-arms the socket (epoll_ctl MOD), and async_read_some first
// tries a read that fails with EAGAIN. The reactor skips that read when it
// knows the socket is empty, but it learns so only from such a failed read.
//
// A session knows it sooner: a read on a stream socket that returned fewer
// bytes than it asked for emptied the kernel's queue, and any byte arriving
// after that raises a new edge, which the reactor's next epoll_wait reports.
// mark_drained(socket) passes that on, so that the async_read_some that
// follows queues the read without a system call, and the read happens when
// the edge comes.
//
// Not every short read leaves nothing to read: one that took the peer's
// last bytes took its FIN too, and the end of the stream is still to be
// read, with no edge to come; an error or urgent data end a read short as
// well. So the first mark of a socket also has epoll report a peer's
// shutdown (EPOLLRDHUP; the change re-checks readiness, which reports an
// end already there), and a later mark does nothing when the socket's
// latest epoll event reported a shutdown, an error or urgent data (one
// that comes after that event raises an edge of its own).
//
// The knowledge is stale once the thread has been back in epoll_wait: an
// edge reported there for a socket with no read queued is remembered only
// in the very flag mark_drained() clears, and clearing it then would leave
// bytes unread with no edge to come. So mark only right after a short read
// with no epoll_wait since its recv: a read_some of the session's own, or
// a queued read whose completion ran straight from its epoll event.
// read_queued(), asked right after async_read_some, says the read was
// queued rather than made on the spot (a read made on the spot completes
// later, through the handler queue); and no other operation of the socket
// (a write) may have completed beside it, since the reactor then runs that
// one first and queues the read's. The socket's io_context runs on one
// thread: the daemon's rule. Stream and HTTP sessions follow this.

// It reaches into the reactor's per-socket state, whose layout is Asio's
// own; it is compiled only for the Boost release it was read against (1.81,
// epoll) and is a no-op elsewhere: the read is then tried first, as before.
#pragma once

#include "server/net/context.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

namespace plugrpc {

// A pipe read by a loop (an isolated plugin's answers): the same hint
// applies, a pipe's read returning short having emptied it too.
using Pipe = boost::asio::posix::stream_descriptor;

// True when mark_drained() does something in this build (a unit test
// holds it to true on the Boost the project builds with).
bool drained_hint_supported();

// After async_read_some: the read waits in the reactor for an epoll event.
bool read_queued(Socket& socket);
bool read_queued(Pipe& pipe);

void mark_drained(Socket& socket);
void mark_drained(Pipe& pipe);

} // namespace plugrpc
