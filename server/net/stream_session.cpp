#include "server/net/stream_session.hpp"

#include "server/net/drained.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include <linux/sockios.h>
#include <sys/ioctl.h>

namespace plugrpc {
namespace asio = boost::asio;

StreamSession::StreamSession(Connection conn, ReadBuffer buffer, Protocol protocol)
    : conn_(std::move(conn)), in_(std::move(buffer)), writer_(conn_.socket), idle_timer_(conn_.socket.get_executor()),
      message_timer_(conn_.socket.get_executor()), unread_timer_(conn_.socket.get_executor()) {
    if (protocol != Protocol::GobHttp) conn_.gauge->become(protocol);
    auto home = conn_.socket.get_executor();
    if (auto* ex = home.target<boost::asio::io_context::executor_type>()) home_ = &HomeInbox::of(ex->context());
    in_.max_size(conn_.settings->limits.max_message_bytes + kReadChunk);
}

StreamSession::~StreamSession() { conn_.ctx.sessions.remove(this); }

void StreamSession::start() {
    conn_.ctx.sessions.add(shared_from_this());
    boost::system::error_code ignored;
    conn_.socket.non_blocking(true, ignored); // see ReplyWriter::flush()
    writer_.on_drained = [this] {
        if (!processing_) resume();
    };
    last_activity_ = std::chrono::steady_clock::now();
    arm_idle_timer();
    if (conn_.ctx.draining.load()) draining_ = true;
    process();
}

bool StreamSession::paused() const {
    const Limits& l = conn_.settings->limits;
    return inflight_ >= l.max_inflight_per_connection || writer_.backlog() > l.max_unread_reply_bytes ||
           unread_paused_ || turn_spent();
}

void StreamSession::read(bool may_defer) {
    if (reading_ || read_deferred_ || read_closed_ || failed_ || paused()) return;
    if (may_defer && !draining_ && defer_read(*this)) {
        read_deferred_ = true;
        return;
    }
    if (draining_) {
        slurp();
        return process();
    }
    std::size_t room = std::min(kReadChunk, in_.max_size() - in_.size());
    if (room == 0) {
        // Decoders refuse a message over the limit before this can happen.
        spdlog::debug("{}: read buffer full; closing", conn_.peer);
        failed_ = true;
        return maybe_close();
    }
    reading_ = true;
    // After a read that came back short, mark_drained() has told the reactor
    // the socket is empty, and this read waits for the next edge without a
    // syscall. Only a read the reactor made on that edge, with no write of
    // this socket beside it, may say so (net/drained.hpp): no asynchronous
    // write running at its completion, and none completed since it was
    // asked for. A read deferred to the loop's next look (net/io_loop.hpp)
    // starts after epoll_waits; the mark was made before them, and an edge
    // they reported for this socket set the reactor's flag again, so the
    // deferred read is tried at once.
    std::uint64_t writes = writer_.writes_completed();
    conn_.socket.async_read_some(in_.prepare(room), [self = shared_from_this(), room,
                                                     writes](boost::system::error_code ec, std::size_t n) {
        if (!ec && n < room && self->read_on_edge_ && self->writer_.idle() &&
            self->writer_.writes_completed() == writes)
            mark_drained(self->conn_.socket);
        self->on_read(ec, n);
    });
    read_on_edge_ = read_queued(conn_.socket);
}

void StreamSession::on_read(boost::system::error_code ec, std::size_t n) {
    reading_ = false;
    in_.commit(n);
    bytes_arrived_ = n > 0;
    if (ec == asio::error::operation_aborted && draining_ && !closed_) {
        slurp();
    } else if (ec) {
        read_closed_ = true;
        if (ec == asio::error::connection_reset) peer_gone("its connection was reset");
        else if (ec != asio::error::eof && ec != asio::error::operation_aborted)
            spdlog::debug("{}: read: {}", conn_.peer, ec.message());
    }
    process();
}

// Take what the peer already sent without waiting for more: the last read
// of a draining session.
void StreamSession::slurp() {
    boost::system::error_code ec;
    conn_.socket.non_blocking(true, ec);
    while (!ec) {
        std::size_t room = std::min(kReadChunk, in_.max_size() - in_.size());
        if (room == 0) break;
        std::size_t n = conn_.socket.read_some(in_.prepare(room), ec);
        in_.commit(n);
        if (n == 0) break;
    }
    read_closed_ = true;
}

void StreamSession::process() {
    if (closed_) return;
    processing_ = true;
    turn_start_ = calls_;
    {
        Dispatcher::Turn turn(this); // this turn's blocking calls go to the pool together, isolated ones out in one send
        CallerCalls::Scope mine(waiting_); // the calls that wait are cancelled if the peer goes
        if (!failed_ && !paused() && !on_input()) failed_ = true;
        if (read_closed_ && !failed_ && !paused()) on_input_end();
    }
    processing_ = false;
    // Progress is a call, or bytes that belong to a message: a peer that
    // sends only whitespace (or gob type definitions) is idle.
    if (calls_ != turn_start_ || (bytes_arrived_ && mid_message()))
        last_activity_ = std::chrono::steady_clock::now();
    bytes_arrived_ = false;
    flush();
    if (read_closed_ || failed_) maybe_close();
    else {
        watch_partial_message();
        if (!turn_spent()) return read();
        // This turn's share is spent: the rest waits behind the other
        // sessions of this loop.
        asio::post(conn_.socket.get_executor(), [self = shared_from_this()] { self->process(); });
    }
}

void StreamSession::flush() {
    writer_.flush(shared_from_this());
    if (writer_.failed()) peer_gone("its connection failed");
    if (writer_.bytes_written() - unread_checked_ >= kUnreadCheckBytes) check_unread();
}

void StreamSession::check_unread() {
    unread_checked_ = writer_.bytes_written();
    int queued = 0;
    if (::ioctl(conn_.socket.native_handle(), SIOCOUTQ, &queued) != 0) return;
    if (static_cast<std::size_t>(queued) + writer_.backlog() <= conn_.settings->limits.max_unread_reply_bytes) return;
    if (!unread_paused_)
        spdlog::debug("{}: {} bytes of replies unread; reading pauses until the peer reads", conn_.peer,
                      static_cast<std::size_t>(queued) + writer_.backlog());
    unread_paused_ = true;
    watch_unread(std::chrono::milliseconds(5));
}

// Reading starts again once the peer has taken half of what it left.
void StreamSession::watch_unread(std::chrono::milliseconds wait) {
    unread_timer_.expires_after(wait);
    unread_timer_.async_wait([self = shared_from_this(), wait](boost::system::error_code ec) {
        if (ec || self->closed_) return;
        int queued = 0;
        if (::ioctl(self->conn_.socket.native_handle(), SIOCOUTQ, &queued) == 0 &&
            static_cast<std::size_t>(queued) + self->writer_.backlog() > self->conn_.settings->limits.max_unread_reply_bytes / 2)
            return self->watch_unread(std::min(wait * 2, std::chrono::milliseconds(100)));
        self->unread_paused_ = false;
        self->resume();
    });
}

void StreamSession::watch_partial_message() {
    if (!mid_message()) {
        if (message_timer_armed_) message_timer_.cancel();
        message_timer_armed_ = false;
        return;
    }
    // The clock runs from the message's first bytes: it goes on while the
    // same message is under way, and starts again when the one it timed
    // ended and another began (messages back to back, each read ending
    // inside the next one).
    if (message_timer_armed_ && message_calls_ == calls_) return;
    message_timer_armed_ = true;
    message_calls_ = calls_;
    auto timeout = conn_.settings->limits.header_timeout;
    message_timer_.expires_after(timeout);
    message_timer_.async_wait([self = shared_from_this(), timeout](boost::system::error_code ec) {
        if (ec || self->closed_ || !self->message_timer_armed_) return;
        self->message_timer_armed_ = false;
        if (!self->mid_message() || self->paused()) return; // done, or we are the slow side
        spdlog::info("{}: a message not complete within the header timeout ({} ms); closing", self->conn_.peer,
                      std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count());
        self->conn_.ctx.counters.limit(LimitKind::HeaderTimeout);
        self->failed_ = true;
        self->read_closed_ = true;
        boost::system::error_code ignored;
        self->conn_.socket.cancel(ignored);
        self->maybe_close();
    });
}

void StreamSession::finish_call(std::string_view reply) {
    --inflight_;
    output().append(reply);
    if (processing_ || resume_deferred_) return; // written when that ends
    if (defer_resume(*this)) resume_deferred_ = true;
    else resume();
}

// A stream's end of input is not its caller going away: a client may shut
// down its sending side and wait for its answers, and Go's server answers
// it. A reset, or a write that fails, is: nothing can reach the caller.
void StreamSession::peer_gone(const char* why) {
    if (std::exchange(peer_gone_, true)) return;
    // Their completions run here, on this thread: as in a turn, what they
    // queue is written (or dropped) by whoever called this, not by each.
    bool was_processing = std::exchange(processing_, true);
    std::size_t n = waiting_.cancel_all(why);
    processing_ = was_processing;
    if (n) spdlog::debug("{}: {}; {} call(s) waiting for their answer cancelled", conn_.peer, why, n);
}

void StreamSession::resume() {
    flush();
    if (!reading_ && !paused() && !closed_) process();
    else maybe_close();
}

void StreamSession::drain() {
    draining_ = true;
    if (closed_ || read_closed_) return maybe_close();
    if (reading_) {
        boost::system::error_code ignored;
        conn_.socket.cancel(ignored); // on_read slurps and winds down
    }
}

void StreamSession::maybe_close() {
    if (closed_ || !(read_closed_ || failed_) || inflight_ > 0 || !writer_.idle()) return;
    closed_ = true;
    idle_timer_.cancel();
    message_timer_.cancel();
    unread_timer_.cancel();
    boost::system::error_code ignored;
    conn_.socket.shutdown(Socket::shutdown_send, ignored);
    conn_.socket.close(ignored);
}

void StreamSession::arm_idle_timer() {
    auto timeout = conn_.settings->limits.idle_timeout;
    idle_timer_.expires_at(last_activity_ + timeout);
    idle_timer_.async_wait([self = shared_from_this(), timeout](boost::system::error_code ec) {
        if (ec || self->closed_) return;
        auto idle = std::chrono::steady_clock::now() - self->last_activity_;
        if (idle >= timeout && self->inflight_ == 0 && self->writer_.idle()) {
            spdlog::debug("{}: idle for {} ms; closing", self->conn_.peer,
                          std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count());
            self->conn_.ctx.counters.limit(LimitKind::IdleTimeout);
            self->read_closed_ = true;
            boost::system::error_code ignored;
            self->conn_.socket.cancel(ignored);
            self->maybe_close();
            return;
        }
        if (idle >= timeout) self->last_activity_ = std::chrono::steady_clock::now(); // busy, not idle
        self->arm_idle_timer();
    });
}

} // namespace plugrpc
