#include "net/drained.hpp"

#include <boost/version.hpp>

#if BOOST_VERSION == 108100 && defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT) &&       \
    !defined(BOOST_ASIO_DISABLE_EPOLL)
#define PLUGRPC_DRAINED_HINT 1
#include <boost/asio/detail/epoll_reactor.hpp>
#else
#define PLUGRPC_DRAINED_HINT 0
#endif

namespace plugrpc {

#if PLUGRPC_DRAINED_HINT
namespace {

using Reactor = boost::asio::detail::epoll_reactor;
using State = Reactor::descriptor_state;
using Speculative = bool[Reactor::max_ops];
using StateMutex = boost::asio::detail::conditionally_enabled_mutex;

// A protected member of the socket's base class, named through a class that
// derives from it: &Peek::impl_ is a pointer to a member of basic_socket,
// usable on any socket.
struct Peek : Socket {
    static auto& impl(Socket& s) { return s.*(&Peek::impl_); }
};

// The reactor's per-socket state keeps its members private. An explicit
// instantiation may name private members (access is not checked there), and
// the friend function it defines hands the member pointers out.
struct SpeculativeTag {};
struct MutexTag {};
struct QueuesTag {};
using Queues = boost::asio::detail::op_queue<boost::asio::detail::reactor_op>[Reactor::max_ops];
Speculative State::*member(SpeculativeTag);
StateMutex State::*member(MutexTag);
Queues State::*member(QueuesTag);

template <typename Tag, auto Member>
struct Expose {
    friend decltype(Member) member(Tag) { return Member; }
};
template struct Expose<SpeculativeTag, &State::try_speculative_>;
template struct Expose<MutexTag, &State::mutex_>;
template struct Expose<QueuesTag, &State::op_queue_>;

State* state_of(Socket& socket) { return Peek::impl(socket).get_implementation().reactor_data_; }

} // namespace

bool drained_hint_supported() { return true; }

bool read_queued(Socket& socket) {
    State* state = state_of(socket);
    if (state == nullptr) return false;
    StateMutex::scoped_lock lock(state->*member(MutexTag{}));
    return !(state->*member(QueuesTag{}))[Reactor::read_op].empty();
}

void mark_drained(Socket& socket) {
    State* state = state_of(socket);
    if (state == nullptr) return;
    StateMutex::scoped_lock lock(state->*member(MutexTag{}));
    (state->*member(SpeculativeTag{}))[Reactor::read_op] = false;
}

#else

bool drained_hint_supported() { return false; }
bool read_queued(Socket&) { return false; }
void mark_drained(Socket&) {}

#endif

} // namespace plugrpc
