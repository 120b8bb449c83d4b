// net/drained on real sockets (a socket pair, no daemon): a socket marked
// drained queues its next read without trying it, and bytes that arrive
// after the mark still reach that read.
#include "net/drained.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <string>

// Each file in its own namespace: unity builds compile several together.
namespace unit_net_drained {

using plugrpc::Socket;

TEST_CASE("drained: the hint is compiled for the Boost this project builds with", "[net]") {
    // Off, every wait costs one syscall more (net/drained.hpp): a Boost
    // upgrade must show up here, not only in bench figures.
    CHECK(plugrpc::drained_hint_supported());
}

TEST_CASE("drained: a marked socket queues its read, and bytes sent after the mark complete it", "[net]") {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    boost::asio::io_context ioc(1);
    Socket a(ioc);
    a.assign(boost::asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), fds[0]);
    a.non_blocking(true);

    // A short read empties the socket: mark it, as the sessions do.
    REQUIRE(::write(fds[1], "x", 1) == 1);
    std::array<char, 64> buf{};
    REQUIRE(a.read_some(boost::asio::buffer(buf)) == 1);
    plugrpc::mark_drained(a);

    // Bytes arrive before the read is asked for: without the mark the read
    // would be made on the spot (not queued); with it, it waits for the
    // edge those bytes raised, which the reactor still reports.
    REQUIRE(::write(fds[1], "hello", 5) == 5);
    std::string got;
    a.async_read_some(boost::asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
        REQUIRE_FALSE(ec);
        got.assign(buf.data(), n);
    });
    CHECK(plugrpc::read_queued(a) == plugrpc::drained_hint_supported());
    ioc.run_for(std::chrono::seconds(5));
    CHECK(got == "hello");
    ::close(fds[1]);
}

} // namespace unit_net_drained
