// Replies waiting to go out on one connection, written with as few syscalls
// as possible: all replies ready at a flush leave in one write; while an
// asynchronous write runs, new replies collect in a second buffer and leave
// together when it completes.
#pragma once

#include "server/net/context.hpp"

#include <boost/asio/write.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace plugrpc {

class ReplyWriter {
public:
    explicit ReplyWriter(Socket& socket) : socket_(socket) {}

    // Append reply bytes here, then flush().
    std::string& buffer() { return pending_; }

    // Write what waits, if no write runs. Most batches fit the socket's
    // send buffer: they go out at once, with no completion to schedule
    // (the socket is non-blocking). What does not fit is written
    // asynchronously; `owner` is kept alive until that completes, and
    // on_drained is called after it.
    void flush(std::shared_ptr<void> owner) {
        if (writing_ || pending_.empty() || failed_) return;
        boost::system::error_code ec;
        std::size_t n = socket_.write_some(boost::asio::buffer(pending_), ec);
        if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) ec = {}, n = 0;
        if (ec) {
            failed_ = true;
            pending_.clear();
            return;
        }
        bytes_written_ += n;
        if (n == pending_.size()) {
            pending_.clear();
            return;
        }
        pending_.erase(0, n);
        writing_ = true;
        std::swap(pending_, inflight_);
        boost::asio::async_write(socket_, boost::asio::buffer(inflight_),
                                 [this, owner = std::move(owner)](boost::system::error_code ec, std::size_t n) {
                                     writing_ = false;
                                     ++writes_completed_;
                                     bytes_written_ += n;
                                     inflight_.clear();
                                     if (ec) {
                                         failed_ = true;
                                         pending_.clear();
                                     }
                                     if (!pending_.empty()) flush(owner);
                                     if (on_drained) on_drained();
                                 });
    }

    std::size_t backlog() const { return pending_.size() + inflight_.size(); }
    bool idle() const { return !writing_ && (pending_.empty() || failed_); }
    bool failed() const { return failed_; }
    // Bytes handed to the socket so far.
    std::uint64_t bytes_written() const { return bytes_written_; }
    // Asynchronous writes completed so far.
    std::uint64_t writes_completed() const { return writes_completed_; }

    // Called after each completed write.
    std::function<void()> on_drained;

private:
    Socket& socket_;
    std::string pending_;
    std::string inflight_;
    bool writing_ = false;
    std::uint64_t writes_completed_ = 0;
    std::uint64_t bytes_written_ = 0;
    bool failed_ = false;
};

} // namespace plugrpc
