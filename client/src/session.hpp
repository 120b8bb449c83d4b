// One client connection on its I/O thread: a write queue, a read loop, the
// calls waiting for replies (matched by sequence number, as Go's
// Client.pending) and their timers. Every member runs on the I/O thread;
// the Client posts calls here.
#pragma once

#include "codec/codec.hpp"

#include <plugrpc/client/client.hpp>

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace plugrpc::client {

using Socket = boost::asio::generic::stream_protocol::socket;

// What the Client's callers and the I/O thread both look at.
struct SharedState {
    std::atomic<bool> shut_down{false};
    std::atomic<std::size_t> in_flight{0};
};

struct OutgoingCall {
    std::string method;
    boost::json::value params;
    CallTypes types;
    std::chrono::milliseconds timeout{0}; // zero: none
    JsonCallback done;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Socket socket, std::unique_ptr<wire::Codec> codec, std::shared_ptr<SharedState> shared);

    // Starts reading; `already_read` are bytes that came with the handshake.
    void start(std::string_view already_read);
    // Sends a call (or fails it, if the connection is shut down).
    void send(OutgoingCall call);
    // Fails every call waiting with `why` and closes the socket. Later
    // calls fail with "connection is shut down".
    void shutdown(Error why);

private:
    struct Pending {
        JsonCallback done;
        SchemaHandle reply_type;
        std::unique_ptr<boost::asio::steady_timer> timer;
        std::string method;
        std::chrono::milliseconds timeout{0};
    };

    void do_read();
    void on_read(const boost::system::error_code& ec, std::size_t n);
    void do_write();
    void on_write(const boost::system::error_code& ec);
    void expire(std::uint64_t seq);
    void complete(wire::Reply reply);
    void deliver(JsonCallback& done, Result<boost::json::value> result);

    Socket socket_;
    std::unique_ptr<wire::Codec> codec_;
    std::shared_ptr<SharedState> shared_;
    std::unordered_map<std::uint64_t, Pending> pending_;
    std::uint64_t next_seq_ = 0;
    std::string queued_, writing_;
    bool closed_ = false;
    std::array<char, 64 * 1024> read_buf_{};
};

} // namespace plugrpc::client
