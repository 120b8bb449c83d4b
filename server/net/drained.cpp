#include "server/net/drained.hpp"

#include <boost/version.hpp>

#include <cstdint>

#if BOOST_VERSION == 108100 && defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT) &&       \
    !defined(BOOST_ASIO_DISABLE_EPOLL)
#define PLUGRPC_DRAINED_HINT 1
#include <boost/asio/detail/epoll_reactor.hpp>
#include <sys/epoll.h>
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

// A protected member of the socket's (or descriptor's) base class, named
// through a class that derives from it: &Peek::impl_ is a pointer to a
// member of basic_socket (basic_descriptor), usable on any of them.
template <typename Stream>
struct Peek : Stream {
    static auto& impl(Stream& s) { return s.*(&Peek::impl_); }
};

// The reactor's per-socket state keeps its members private. An explicit
// instantiation may name private members (access is not checked there), and
// the friend function it defines hands the member pointers out.
struct SpeculativeTag {};
struct MutexTag {};
struct QueuesTag {};
struct EventsTag {};
struct ReadyTag {};
struct DescriptorTag {};
struct ReactorTag {};
struct EpollFdTag {};
using Queues = boost::asio::detail::op_queue<boost::asio::detail::reactor_op>[Reactor::max_ops];
Speculative State::*member(SpeculativeTag);
StateMutex State::*member(MutexTag);
Queues State::*member(QueuesTag);
std::uint32_t State::*member(EventsTag);
unsigned int boost::asio::detail::scheduler_operation::*member(ReadyTag);
int State::*member(DescriptorTag);
Reactor* State::*member(ReactorTag);
int Reactor::*member(EpollFdTag);

template <typename Tag, auto Member>
struct Expose {
    friend decltype(Member) member(Tag) { return Member; }
};
template struct Expose<SpeculativeTag, &State::try_speculative_>;
template struct Expose<MutexTag, &State::mutex_>;
template struct Expose<QueuesTag, &State::op_queue_>;
template struct Expose<EventsTag, &State::registered_events_>;
template struct Expose<ReadyTag, &State::task_result_>;
template struct Expose<DescriptorTag, &State::descriptor_>;
template struct Expose<ReactorTag, &State::reactor_>;
template struct Expose<EpollFdTag, &Reactor::epoll_fd_>;
// A descriptor's (unlike a socket's) keeps its reactor state private.
struct PipeDataTag {};
using PipeImpl = boost::asio::detail::reactive_descriptor_service::implementation_type;
State* PipeImpl::*member(PipeDataTag);
template struct Expose<PipeDataTag, &PipeImpl::reactor_data_>;

// The events of the socket's latest epoll report, kept in the operation
// that descriptor_state privately derives from (a C-style cast may name a
// private base).
unsigned int ready_events(State* state) {
    using Operation = boost::asio::detail::scheduler_operation;
    return ((Operation*)state)->*member(ReadyTag{}); // NOLINT(cppcoreguidelines-pro-type-cstyle-cast)
}

State* state_of(Socket& socket) { return Peek<Socket>::impl(socket).get_implementation().reactor_data_; }
State* state_of(Pipe& pipe) { return Peek<Pipe>::impl(pipe).get_implementation().*member(PipeDataTag{}); }

bool read_queued(State* state) {
    if (state == nullptr) return false;
    StateMutex::scoped_lock lock(state->*member(MutexTag{}));
    return !(state->*member(QueuesTag{}))[Reactor::read_op].empty();
}

void mark_drained(State* state) {
    if (state == nullptr) return;
    StateMutex::scoped_lock lock(state->*member(MutexTag{}));
    std::uint32_t& registered = state->*member(EventsTag{});
    if ((registered & EPOLLRDHUP) == 0) {
        // The first mark of this socket: have epoll report the peer's
        // shutdown too. The change re-checks readiness, so a FIN that the
        // short read took is reported now.
        epoll_event ev{};
        ev.events = registered | EPOLLRDHUP;
        ev.data.ptr = state;
        int epoll_fd = (state->*member(ReactorTag{}))->*member(EpollFdTag{});
        if (::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, state->*member(DescriptorTag{}), &ev) != 0) return;
        registered = ev.events;
    } else if (ready_events(state) & (EPOLLRDHUP | EPOLLHUP | EPOLLERR | EPOLLPRI)) {
        // The socket's latest epoll event reported more than bytes: a
        // shutdown, an error or urgent data, which end a read short while
        // the socket stays readable with no edge to come.
        return;
    }
    (state->*member(SpeculativeTag{}))[Reactor::read_op] = false;
}

} // namespace

bool drained_hint_supported() { return true; }
bool read_queued(Socket& socket) { return read_queued(state_of(socket)); }
bool read_queued(Pipe& pipe) { return read_queued(state_of(pipe)); }
void mark_drained(Socket& socket) { mark_drained(state_of(socket)); }
void mark_drained(Pipe& pipe) { mark_drained(state_of(pipe)); }

#else

bool drained_hint_supported() { return false; }
bool read_queued(Socket&) { return false; }
bool read_queued(Pipe&) { return false; }
void mark_drained(Socket&) {}
void mark_drained(Pipe&) {}

#endif

} // namespace plugrpc
