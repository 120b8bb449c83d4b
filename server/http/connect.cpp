// Go's rpc.DialHTTP handshake: "CONNECT <rpc_path> HTTP/1.0\n\n" (bare LF
// line ends, no Host header), answered "HTTP/1.0 200 Connected to Go RPC\n\n";
// after that the connection speaks gob. Done here rather than by Beast's
// parser because Go's client does not send CRLF line ends.
#include "server/net/connection.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace plugrpc {
namespace asio = boost::asio;

namespace {

constexpr std::string_view kConnected = "HTTP/1.0 200 Connected to Go RPC\n\n";
constexpr std::size_t kMaxHeader = 8 * 1024;

class ConnectHandshake : public std::enable_shared_from_this<ConnectHandshake> {
public:
    ConnectHandshake(Connection conn, ReadBuffer buffer)
        : conn_(std::move(conn)), buffer_(std::move(buffer)), timer_(conn_.socket.get_executor()) {}

    void start() {
        timer_.expires_after(conn_.settings->limits.header_timeout);
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->close();
        });
        check();
    }

private:
    std::string_view seen() const { return {static_cast<const char*>(buffer_.data().data()), buffer_.size()}; }

    void check() {
        std::string_view s = seen();
        std::size_t end = s.find("\n\n");
        std::size_t crlf = s.find("\r\n\r\n");
        std::size_t skip = 2;
        if (crlf != std::string_view::npos && (end == std::string_view::npos || crlf < end)) end = crlf, skip = 4;
        if (end == std::string_view::npos) {
            if (s.size() >= kMaxHeader) return reject("431 Request Header Fields Too Large", "request header too large\n");
            std::size_t room = std::min<std::size_t>(1024, buffer_.max_size() - buffer_.size());
            conn_.socket.async_read_some(buffer_.prepare(room), [self = shared_from_this()](boost::system::error_code ec,
                                                                                           std::size_t n) {
                self->buffer_.commit(n);
                if (ec) return self->close();
                self->check();
            });
            return;
        }
        std::string_view line = s.substr(0, s.find('\n'));
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        // "CONNECT <path> HTTP/1.x"
        auto sp1 = line.find(' ');
        auto sp2 = line.find(' ', sp1 + 1);
        std::string_view path = sp1 == std::string_view::npos ? "" : line.substr(sp1 + 1, sp2 - sp1 - 1);
        std::string_view version = sp2 == std::string_view::npos ? "" : line.substr(sp2 + 1);
        if (version.substr(0, 5) != "HTTP/") return reject("400 Bad Request", "malformed CONNECT request\n");
        if (path != conn_.settings->rpc_path)
            return reject("404 Not Found", "CONNECT is served on " + conn_.settings->rpc_path + " only\n");
        buffer_.consume(end + skip);
        timer_.cancel();
        asio::async_write(conn_.socket, asio::buffer(kConnected),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->conn_.gauge->become(Protocol::GobHttp);
                              start_gob_session(std::move(self->conn_), std::move(self->buffer_));
                          });
    }

    void reject(const char* status, std::string body) {
        timer_.cancel();
        spdlog::debug("{}: CONNECT refused: {}", conn_.peer, status);
        auto text = std::make_shared<std::string>(std::string("HTTP/1.0 ") + status +
                                                  "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                                                  std::to_string(body.size()) + "\r\n\r\n" + body);
        asio::async_write(conn_.socket, asio::buffer(*text),
                          [self = shared_from_this(), text](boost::system::error_code, std::size_t) { self->close(); });
    }

    void close() {
        boost::system::error_code ignored;
        conn_.socket.shutdown(Socket::shutdown_both, ignored);
        conn_.socket.close(ignored);
    }

    Connection conn_;
    ReadBuffer buffer_;
    asio::steady_timer timer_;
};

} // namespace

void start_connect_handshake(Connection conn, ReadBuffer buffer) {
    std::make_shared<ConnectHandshake>(std::move(conn), std::move(buffer))->start();
}

} // namespace plugrpc
