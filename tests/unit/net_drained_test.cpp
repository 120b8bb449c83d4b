// net/drained on real sockets (a socket pair, no daemon): a socket marked
// drained queues its next read without trying it, and bytes that arrive
// after the mark still reach that read.
#include "server/net/drained.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <functional>
#include <string>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_net_drained {

using plugrpc::Socket;

// Our end as the daemon holds a socket (Asio, non-blocking, its own
// io_context on this thread) and the peer's as a plain descriptor.
struct SocketPair {
    boost::asio::io_context ioc{1};
    Socket ours{ioc};
    int peer = -1;

    SocketPair() {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
        ours.assign(boost::asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), fds[0]);
        ours.non_blocking(true);
        peer = fds[1];
    }
    ~SocketPair() { ::close(peer); }
};

// Reads `stream` until its end as a session does: each read that comes
// back is marked drained right from its epoll event, then the next is
// asked for. What each read got is in `reads`, "eof" at the end.
template <class Stream>
struct DrainingReader {
    explicit DrainingReader(Stream& s) : stream(s) {}
    Stream& stream;
    std::array<char, 64> buf{};
    std::vector<std::string> reads;

    void read() {
        stream.async_read_some(boost::asio::buffer(buf), [this](boost::system::error_code ec, std::size_t n) {
            if (ec) return reads.push_back(ec == boost::asio::error::eof ? "eof" : ec.message());
            plugrpc::mark_drained(stream); // a short read, right from its epoll event
            reads.emplace_back(buf.data(), n);
            read();
        });
    }
};

TEST_CASE("drained: the hint is compiled for the Boost this project builds with", "[net]") {
    // Off, every wait costs one syscall more (net/drained.hpp): a Boost
    // upgrade must show up here, not only in bench figures.
    CHECK(plugrpc::drained_hint_supported());
}

TEST_CASE("drained: a marked socket queues its read, and bytes sent after the mark complete it", "[net]") {
    SocketPair pair;
    Socket& a = pair.ours;
    const int peer = pair.peer;

    // A short read empties the socket: mark it, as the sessions do.
    REQUIRE(::write(peer, "x", 1) == 1);
    std::array<char, 64> buf{};
    REQUIRE(a.read_some(boost::asio::buffer(buf)) == 1);
    plugrpc::mark_drained(a);

    // Bytes arrive before the read is asked for: without the mark the read
    // would be made on the spot (not queued); with it, it waits for the
    // edge those bytes raised, which the reactor still reports.
    REQUIRE(::write(peer, "hello", 5) == 5);
    std::string got;
    a.async_read_some(boost::asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
        REQUIRE_FALSE(ec);
        got.assign(buf.data(), n);
    });
    CHECK(plugrpc::read_queued(a) == plugrpc::drained_hint_supported());
    pair.ioc.run_for(std::chrono::seconds(5));
    CHECK(got == "hello");
}

TEST_CASE("drained: a read that took the peer's last bytes and its shutdown does not leave the end unseen", "[net]") {
    // The bytes and the FIN arrive before the reactor looks: one edge for
    // both. The read that takes the bytes comes back short with the
    // socket still readable (at its end), and no edge is to come.
    SocketPair pair;
    Socket& a = pair.ours;
    const int peer = pair.peer;
    DrainingReader<Socket> reader(a);
    reader.read();
    // A first exchange: the first mark of a socket also asks epoll to
    // report the peer's shutdown; the second read is then queued.
    REQUIRE(::write(peer, "x", 1) == 1);
    pair.ioc.run_one_for(std::chrono::seconds(5));
    REQUIRE(reader.reads == std::vector<std::string>{"x"});
    CHECK(plugrpc::read_queued(a) == plugrpc::drained_hint_supported());
    // Then the last bytes and the shutdown, together.
    REQUIRE(::write(peer, "ab", 2) == 2);
    REQUIRE(::shutdown(peer, SHUT_WR) == 0);
    pair.ioc.run_for(std::chrono::seconds(2));
    CHECK(reader.reads == std::vector<std::string>{"x", "ab", "eof"});
}

// The same on a pipe (an isolated plugin's answers are read from one): a
// marked pipe queues its read, bytes written after the mark complete it,
// and the writer's close that came with the last bytes is still read.
TEST_CASE("drained: a pipe is marked as a socket is, and its writer's close is not missed", "[net]") {
    boost::asio::io_context ioc{1};
    int fds[2];
    REQUIRE(::pipe2(fds, O_NONBLOCK) == 0);
    plugrpc::Pipe a(ioc, fds[0]);
    int writer = fds[1];
    DrainingReader<plugrpc::Pipe> reader(a);
    reader.read();
    REQUIRE(::write(writer, "x", 1) == 1);
    ioc.run_one_for(std::chrono::seconds(5));
    REQUIRE(reader.reads == std::vector<std::string>{"x"});
    CHECK(plugrpc::read_queued(a) == plugrpc::drained_hint_supported());
    // Bytes after the mark reach the queued read.
    REQUIRE(::write(writer, "hello", 5) == 5);
    ioc.run_one_for(std::chrono::seconds(5));
    REQUIRE(reader.reads == std::vector<std::string>{"x", "hello"});
    CHECK(plugrpc::read_queued(a) == plugrpc::drained_hint_supported());
    // The last bytes and the close, together.
    REQUIRE(::write(writer, "ab", 2) == 2);
    ::close(writer);
    ioc.run_for(std::chrono::seconds(2));
    CHECK(reader.reads == std::vector<std::string>{"x", "hello", "ab", "eof"});
}

} // namespace unit_net_drained
