#include "session.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

namespace plugrpc::client {

namespace asio = boost::asio;

namespace {

std::string seconds_text(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

} // namespace

Session::Session(Socket socket, std::unique_ptr<wire::Codec> codec, std::shared_ptr<SharedState> shared)
    : socket_(std::move(socket)), codec_(std::move(codec)), shared_(std::move(shared)) {}

void Session::start(std::string_view already_read) {
    if (!already_read.empty()) {
        codec_->feed(already_read);
        on_read({}, 0);
        return;
    }
    do_read();
}

void Session::deliver(JsonCallback& done, Result<boost::json::value> result) {
    shared_->in_flight.fetch_sub(1, std::memory_order_relaxed);
    try {
        done(std::move(result));
    } catch (...) {
        // A callback's exception must not unwind the I/O thread.
    }
}

void Session::send(OutgoingCall call) {
    if (closed_) return deliver(call.done, Error{ErrorKind::Shutdown, kShutdownText, 0});
    std::uint64_t seq = next_seq_++;
    std::string why = codec_->encode(queued_, seq, call.method, call.params, &call.types);
    if (!why.empty()) return deliver(call.done, Error{ErrorKind::Usage, std::move(why), 0});
    Pending& p = pending_[seq];
    p.done = std::move(call.done);
    p.reply_type = std::move(call.types.reply);
    p.method = std::move(call.method);
    p.timeout = call.timeout;
    if (call.timeout.count() > 0) {
        p.timer = std::make_unique<asio::steady_timer>(socket_.get_executor(), call.timeout);
        p.timer->async_wait([self = shared_from_this(), seq](const boost::system::error_code& ec) {
            if (!ec) self->expire(seq);
        });
    }
    do_write();
}

void Session::expire(std::uint64_t seq) {
    auto it = pending_.find(seq);
    if (it == pending_.end()) return;
    Pending p = std::move(it->second);
    pending_.erase(it);
    deliver(p.done, Error{ErrorKind::Timeout, p.method + ": no reply within " + seconds_text(p.timeout), 0});
}

void Session::do_write() {
    if (closed_ || !writing_.empty() || queued_.empty()) return;
    std::swap(writing_, queued_);
    asio::async_write(socket_, asio::buffer(writing_),
                      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) { self->on_write(ec); });
}

void Session::on_write(const boost::system::error_code& ec) {
    if (closed_) return;
    if (ec) return shutdown(Error{ErrorKind::Transport, "write: " + ec.message(), 0});
    writing_.clear();
    do_write();
}

void Session::do_read() {
    socket_.async_read_some(asio::buffer(read_buf_),
                            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                self->on_read(ec, n);
                            });
}

void Session::on_read(const boost::system::error_code& ec, std::size_t n) {
    if (closed_) return;
    if (ec) {
        // Go reports a connection closed under a waiting call as io.ErrUnexpectedEOF.
        std::string why = ec == asio::error::eof ? "unexpected EOF" : "read: " + ec.message();
        return shutdown(Error{ErrorKind::Transport, std::move(why), 0});
    }
    codec_->feed(std::string_view(read_buf_.data(), n));
    auto reply_type = [this](std::uint64_t seq) -> wire::ReplyType {
        auto it = pending_.find(seq);
        if (it == pending_.end()) return {};
        return {true, it->second.reply_type.get()};
    };
    for (;;) {
        wire::Reply reply;
        switch (codec_->next(reply, reply_type)) {
        case wire::Codec::Step::Reply: complete(std::move(reply)); continue;
        case wire::Codec::Step::Fatal:
            return shutdown(Error{ErrorKind::Transport, codec_->fatal_error(), 0});
        case wire::Codec::Step::NeedMore: return do_read();
        }
    }
}

void Session::complete(wire::Reply reply) {
    auto it = pending_.find(reply.seq);
    if (it == pending_.end()) return; // timed out already: Go discards such replies too
    Pending p = std::move(it->second);
    pending_.erase(it);
    if (p.timer) p.timer->cancel();
    switch (reply.outcome) {
    case wire::Reply::Outcome::Ok: return deliver(p.done, std::move(reply.result));
    case wire::Reply::Outcome::ServerError:
        return deliver(p.done, Error{ErrorKind::Server, std::move(reply.error), reply.code});
    case wire::Reply::Outcome::BadBody: return deliver(p.done, Error{ErrorKind::Reply, std::move(reply.error), 0});
    }
}

void Session::shutdown(Error why) {
    if (closed_) return;
    closed_ = true;
    shared_->shut_down.store(true);
    boost::system::error_code ignored;
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [seq, p] : pending) {
        if (p.timer) p.timer->cancel();
        deliver(p.done, why);
    }
}

} // namespace plugrpc::client
