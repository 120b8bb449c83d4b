// The skeleton every stream protocol shares (JSON-RPC streams, Go's gob):
//
//   read -> on_input() decodes and dispatches each complete request
//        -> calls finish, on any thread -> finish_call() on the session's own
//           thread -> replies collect -> one write for all that are ready
//
// Back-pressure: with max_inflight_per_connection calls running, or more
// than max_unread_reply_bytes of replies the peer has not read (here and in
// the socket's send queue), the session stops reading. Fairness: one turn
// decodes at most kTurnCalls calls, then the session goes to the back of
// its loop's queue, so a peer that pipelines deeply waits its turn like
// the others.
// A drain (graceful stop) reads what the peer already sent, answers it, and
// closes. A connection is idle while no call arrives and no message is
// under way (whitespace between JSON values and gob type definitions alone
// are not progress): it is closed after idle_timeout. Each message has
// header_timeout from its first bytes to its last, however many came before.
#pragma once

#include "server/net/connection.hpp"
#include "server/net/home_inbox.hpp"
#include "server/net/io_loop.hpp"
#include "server/net/reply_writer.hpp"
#include "server/rpc/caller_calls.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace plugrpc {

class StreamSession : public Session, public std::enable_shared_from_this<StreamSession> {
public:
    StreamSession(Connection conn, ReadBuffer buffer, Protocol protocol);
    ~StreamSession() override;

    void start();
    void drain() override;
    boost::asio::any_io_executor executor() override { return conn_.socket.get_executor(); }
    // The network loop starts a read it deferred (net/io_loop.hpp).
    void resume_read() {
        read_deferred_ = false;
        read(false);
    }

    // The end of an AnswerBatch that held this session's writes (net/io_loop.hpp).
    void resume_after_batch() {
        resume_deferred_ = false;
        resume();
    }

protected:
    // Decode and dispatch complete requests from input() while !paused().
    // False when the stream is broken beyond repair (queue an error reply
    // first if the protocol has one): the session then closes.
    virtual bool on_input() = 0;
    // The peer will send nothing more; bytes left in input() are all there is.
    virtual void on_input_end() {}
    // Part of a message has arrived and the rest has not: the rest must come
    // within header_timeout of the part's arrival, or the session closes
    // (a request trickled byte by byte cannot hold a connection).
    virtual bool mid_message() const = 0;

    std::string_view input() const {
        return {static_cast<const char*>(in_.data().data()), in_.size()};
    }
    void consume(std::size_t n) { in_.consume(n); }
    bool input_closed() const { return read_closed_; }
    bool paused() const;

    // Bookkeeping of calls: call_started() before dispatching; then, on the
    // session's thread, finish_call() with the reply bytes (maybe empty).
    void call_started() {
        ++inflight_;
        ++calls_;
        note_call();
    }
    void finish_call(std::string_view reply);
    // Run `f` on this session's thread, keeping the session alive; from
    // another thread, through the loop's inbox (net/home_inbox.hpp).
    template <class F>
    void at_home(F&& f) {
        if (home_) return home_->post([self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(); });
        boost::asio::dispatch(conn_.socket.get_executor(),
                              [self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(); });
    }

    // True when running on this session's thread (at_home() would run at once).
    bool at_home_now() {
        auto home = conn_.socket.get_executor();
        auto* ex = home.target<boost::asio::io_context::executor_type>();
        return ex && ex->running_in_this_thread();
    }

    std::string& output() { return writer_.buffer(); }
    const Settings& settings() const { return *conn_.settings; }
    ServeContext& ctx() { return conn_.ctx; }
    const std::string& peer() const { return conn_.peer; }
    std::size_t inflight() const { return inflight_; }

    Connection conn_;

private:
    HomeInbox* home_ = nullptr; // the inbox of the session's loop, when it runs on an io_context

    void read(bool may_defer = true);
    void on_read(boost::system::error_code ec, std::size_t n);
    void slurp();
    void process();
    void resume();
    void maybe_close();
    void arm_idle_timer();
    void watch_partial_message();
    // Every kUnreadCheckBytes written, ask the socket how much the peer has
    // left unread; over the limit, stop reading and look again later.
    void check_unread();
    void flush(); // the writer's, then check_unread() when due
    // The peer is gone (`why`): the calls still waiting for their answers end.
    void peer_gone(const char* why);
    void watch_unread(std::chrono::milliseconds wait);
    bool turn_spent() const { return calls_ - turn_start_ >= kTurnCalls; }

    static constexpr std::size_t kReadChunk = 64 * 1024;
    static constexpr std::size_t kUnreadCheckBytes = 64 * 1024;
    static constexpr std::uint64_t kTurnCalls = 64;

    ReadBuffer in_;
    ReplyWriter writer_;
    CallerCalls waiting_;    // calls started here that wait for their answers
    bool peer_gone_ = false; // reset, or a write failed: waiting_ was cancelled
    boost::asio::steady_timer idle_timer_;
    boost::asio::steady_timer message_timer_; // header_timeout for a message under way
    boost::asio::steady_timer unread_timer_;  // looks again at a peer that does not read
    bool message_timer_armed_ = false;
    std::uint64_t message_calls_ = 0; // calls_ when the message under way began
    // The last progress: a call decoded, or bytes of a message under way.
    std::chrono::steady_clock::time_point last_activity_;
    std::uint64_t calls_ = 0;        // calls decoded on this connection
    std::uint64_t turn_start_ = 0;   // calls_ when this turn began
    std::uint64_t unread_checked_ = 0; // writer_.bytes_written() at the last check_unread()
    bool unread_paused_ = false;     // the peer leaves too many replies unread
    std::size_t inflight_ = 0;
    bool bytes_arrived_ = false;     // by the read that process() now looks at
    bool reading_ = false;
    bool read_deferred_ = false; // to the loop's next look (net/io_loop.hpp)
    bool read_on_edge_ = false; // the read under way waits for an epoll event (net/drained.hpp)
    bool read_closed_ = false;
    bool failed_ = false;
    bool closed_ = false;
    bool processing_ = false;
    bool resume_deferred_ = false; // to the end of an AnswerBatch (net/io_loop.hpp)
    bool draining_ = false;
};

} // namespace plugrpc
