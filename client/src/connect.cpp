#include "connect.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <optional>

namespace plugrpc::client::detail {

// The blank line that ends an HTTP header, with bare LF (as Go's server
// writes it) or CRLF line ends.
struct EndOfHeader {
    template <class It>
    std::pair<It, bool> operator()(It begin, It end) const {
        std::string seen(begin, end);
        for (std::string_view blank : {"\n\n", "\r\n\r\n"})
            if (auto at = seen.find(blank); at != std::string::npos)
                return {begin + static_cast<std::ptrdiff_t>(at + blank.size()), true};
        return {end, false};
    }
};

} // namespace plugrpc::client::detail

template <>
struct boost::asio::is_match_condition<plugrpc::client::detail::EndOfHeader> : std::true_type {};

namespace plugrpc::client {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxConnectReply = 4096;
// Go's rpc.DialHTTP accepts this status and nothing else.
constexpr std::string_view kConnected = "200 Connected to Go RPC";

// Runs `io` until `done` is set or `deadline` passes; false on timeout.
// On timeout `cancel` aborts the operation, which is then run to its end.
template <class Cancel>
bool wait(asio::io_context& io, const bool& done, Clock::time_point deadline, Cancel cancel) {
    io.restart();
    while (!done && io.run_one_until(deadline) != 0) {
    }
    if (done) return true;
    cancel();
    io.restart();
    while (!done && io.run_one() != 0) {
    }
    return false;
}

Error transport(std::string why) { return Error{ErrorKind::Transport, std::move(why), 0}; }

std::string name_of(const Address& a) { return a.unix_socket ? "unix:" + a.path : a.host + ":" + a.port; }

Result<Socket> connect_tcp(asio::io_context& io, const Address& a, Clock::time_point deadline) {
    tcp::resolver resolver(io);
    bool done = false;
    boost::system::error_code ec;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(a.host, a.port, [&](const boost::system::error_code& e, tcp::resolver::results_type r) {
        ec = e, endpoints = std::move(r), done = true;
    });
    if (!wait(io, done, deadline, [&] { resolver.cancel(); }))
        return transport("dial tcp " + name_of(a) + ": resolving timed out");
    if (ec) return transport("dial tcp " + name_of(a) + ": " + ec.message());

    tcp::socket socket(io);
    done = false;
    asio::async_connect(socket, endpoints, [&](const boost::system::error_code& e, const tcp::endpoint&) {
        ec = e, done = true;
    });
    if (!wait(io, done, deadline, [&] { socket.close(); }))
        return transport("dial tcp " + name_of(a) + ": connect timed out");
    if (ec) return transport("dial tcp " + name_of(a) + ": " + ec.message());
    socket.set_option(tcp::no_delay(true), ec); // pipelined small requests must not wait for ACKs
    return Socket(std::move(socket));
}

Result<Socket> connect_unix(asio::io_context& io, const Address& a, Clock::time_point deadline) {
    asio::local::stream_protocol::socket socket(io);
    bool done = false;
    boost::system::error_code ec;
    socket.async_connect(asio::local::stream_protocol::endpoint(a.path), [&](const boost::system::error_code& e) {
        ec = e, done = true;
    });
    if (!wait(io, done, deadline, [&] { socket.close(); }))
        return transport("dial unix " + a.path + ": connect timed out");
    if (ec) return transport("dial unix " + a.path + ": " + ec.message());
    return Socket(std::move(socket));
}

// Go's DialHTTPPath: "CONNECT path HTTP/1.0\n\n", then the status must be
// "200 Connected to Go RPC". Whatever follows the header is gob.
Result<std::string> connect_handshake(asio::io_context& io, Socket& socket, const Address& a, const Options& o,
                                      Clock::time_point deadline) {
    std::string request = "CONNECT " + o.rpc_path + " HTTP/1.0\n\n";
    if (o.trace) o.trace("> " + request.substr(0, request.size() - 2));
    std::string reply;
    bool done = false;
    boost::system::error_code ec;
    asio::async_write(socket, asio::buffer(request), [&](const boost::system::error_code& e, std::size_t) {
        ec = e, done = true;
    });
    if (!wait(io, done, deadline, [&] { socket.close(); })) return transport("CONNECT " + name_of(a) + ": timed out");
    if (ec) return transport("CONNECT " + name_of(a) + ": " + ec.message());

    std::size_t header_end = 0;
    done = false;
    asio::async_read_until(socket, asio::dynamic_buffer(reply, kMaxConnectReply), detail::EndOfHeader{},
                           [&](const boost::system::error_code& e, std::size_t n) { ec = e, header_end = n, done = true; });
    if (!wait(io, done, deadline, [&] { socket.close(); }))
        return transport("CONNECT " + name_of(a) + ": no reply in time");
    if (ec) return transport("CONNECT " + name_of(a) + ": " + ec.message());
    std::string_view status_line = std::string_view(reply).substr(0, reply.find_first_of("\r\n"));
    if (o.trace) o.trace("< " + std::string(status_line));
    std::string_view status = status_line.substr(std::min(status_line.size(), status_line.find(' ') + 1));
    if (status_line.rfind("HTTP/", 0) != 0 || status != kConnected)
        return transport("unexpected HTTP response: " + std::string(status_line));
    return reply.substr(header_end);
}

} // namespace

Result<Connected> open_connection(asio::io_context& io, const Address& address, const Options& options) {
    Clock::time_point deadline = Clock::now() + options.connect_timeout;
    Result<Socket> socket = address.unix_socket ? connect_unix(io, address, deadline) : connect_tcp(io, address, deadline);
    if (!socket) return socket.error();
    Connected c{std::move(*socket), {}};
    if (options.protocol == Protocol::GobHttp) {
        Result<std::string> rest = connect_handshake(io, c.socket, address, options, deadline);
        if (!rest) return rest.error();
        c.already_read = std::move(*rest);
    }
    return c;
}

} // namespace plugrpc::client
