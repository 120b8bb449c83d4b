// HTTP/1.1 on a connection: JSON-RPC POSTs on rpc_path, the
// debug page, and /healthz, /livez, /readyz (net/health.hpp). One request
// at a time, keep-alive.
#include "server/jsonrpc/serve.hpp"
#include "server/http/debug_page.hpp"
#include "server/net/health.hpp"
#include "server/http/metrics.hpp"
#include "server/http/response_text.hpp"
#include "server/registry/openrpc.hpp"
#include "server/net/connection.hpp"
#include "server/net/io_loop.hpp"
#include "server/net/batched_io.hpp"
#include "server/net/drained.hpp"
#include "server/net/endpoint.hpp"
#include "server/rpc/caller_calls.hpp"
#include "server/rpc/scratch.hpp"

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace plugrpc {
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

class HttpSession : public Session, public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(Connection conn, ReadBuffer buffer)
        : conn_(std::move(conn)), buffer_(std::move(buffer)), timer_(conn_.socket.get_executor()) {
        conn_.gauge->become(Protocol::Http);
        buffer_.max_size(64 * 1024);
        open_access_gate(conn_, gate_);
    }

    ~HttpSession() override { conn_.ctx.sessions.remove(this); }

    void start() {
        conn_.ctx.sessions.add(shared_from_this());
        draining_ = conn_.ctx.draining.load();
        boost::system::error_code ignored;
        conn_.socket.non_blocking(true, ignored); // reads and writes are tried at once, see read_now()
        read();
    }

    // Waiting for a request: close now. Serving one: answer it, then close.
    void drain() override {
        draining_ = true;
        if (reading_) cancel_read();
    }

    boost::asio::any_io_executor executor() override { return conn_.socket.get_executor(); }

    // The batched read (net/batched_io.hpp) is done: bytes read, 0 at the
    // end of the stream, or -errno.
    void received(int result) {
        recv_queued_ = false;
        if (result == -EAGAIN || result == -EWOULDBLOCK) {
            // Nothing yet: a busy peer is likely to have sent by the next
            // look; try once more there, then wait for the socket.
            if (++dry_recvs_ < 2) return wait_readable();
            // Read dry just now, with no epoll_wait since: the reactor may know (net/drained.hpp).
            mark_drained(conn_.socket);
            return wait_readable(false);
        }
        boost::system::error_code ec;
        if (result < 0) ec.assign(-result, boost::system::system_category());
        else if (result == 0) ec = asio::error::eof;
        if (took(ec, result > 0 ? static_cast<std::size_t>(result) : 0, recv_room_)) read_now();
    }

    // The batched send of the response (net/batched_io.hpp) is done:
    // bytes sent, or -errno.
    void sent(int result) {
        if (result == -EAGAIN || result == -EWOULDBLOCK) result = 0;
        if (result < 0) return close();
        write_rest(static_cast<std::size_t>(result));
    }

private:
    using Request = http::request<http::string_body>;

    // Read and parse one request. The socket is read directly when it is
    // readable and the bytes are handed to Beast's parser: no composed
    // operation per request. Pipelined requests already buffered are parsed
    // without a read.
    void read() {
        if (draining_ && buffer_.size() == 0) return close();
        reading_ = true;
        got_bytes_ = buffer_.size() > 0;
        set_deadline(got_bytes_);
        parser_.emplace();
        expect_checked_ = false;
        parser_->header_limit(16 * 1024);
        parser_->body_limit(conn_.settings->limits.max_message_bytes);
        if (got_bytes_) return parse();
        wait_readable();
    }

    // Wait for the next bytes. While the thread batches: a read queued in
    // its batch (net/batched_io.hpp), made late in the next look.
    // Otherwise, or once a batched read found nothing twice: a read queued
    // in the reactor. After a read that came back short, mark_drained() has
    // told the reactor the socket is empty, and queuing it costs no syscall
    // (net/drained.hpp). Reads and writes never overlap here, so a queued
    // read completes straight from its epoll event, alone: a short one
    // marks the socket again.
    void wait_readable(bool may_batch = true) {
        std::size_t room = read_room();
        if (room == 0) return on_read(http::error::buffer_overflow);
        if (may_batch && !draining_ &&
            queue_recv(*this, conn_.socket.native_handle(), buffer_.prepare(room).data(), room)) {
            recv_queued_ = true; // made late in the loop's next look: received()
            recv_room_ = room;
            return;
        }
        conn_.socket.async_read_some(buffer_.prepare(room), [self = shared_from_this(), room](
                                                                boost::system::error_code ec, std::size_t n) {
            if (!ec && n < room && self->read_on_edge_) mark_drained(self->conn_.socket);
            if (self->took(ec, n, room)) self->read_now();
        });
        read_on_edge_ = read_queued(conn_.socket);
    }

    // While the header comes, read as Beast does: into the room the buffer
    // has, at least 512 bytes (an idle or trickling connection holds
    // little); a body in chunks of kReadChunk.
    std::size_t read_room() {
        std::size_t room = parser_->is_header_done()
                               ? kReadChunk
                               : std::max<std::size_t>(512, buffer_.capacity() - buffer_.size());
        return std::min(room, buffer_.max_size() - buffer_.size());
    }

    // Read while the socket has bytes, parsing as they come; wait for
    // readability once it is drained.
    void read_now() {
        for (;;) {
            std::size_t room = read_room();
            if (room == 0) return on_read(http::error::buffer_overflow);
            boost::system::error_code ec;
            std::size_t n = conn_.socket.read_some(buffer_.prepare(room), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) return wait_readable();
            if (!ec && n < room) mark_drained(conn_.socket); // right after the read that emptied it
            if (!took(ec, n, room)) return;
        }
    }

    // Bytes read (or the read's error): parse them. True if the socket may
    // hold more and should be read again at once.
    bool took(boost::system::error_code ec, std::size_t n, std::size_t room) {
        if (ec == asio::error::eof) {
            if (!parser_->got_some()) return on_read(http::error::end_of_stream), false;
            parser_->put_eof(ec);
            return on_read(ec ? ec : http::error::partial_message), false;
        }
        if (ec) return on_read(ec), false;
        buffer_.commit(n);
        dry_recvs_ = 0;
        if (!got_bytes_) {
            got_bytes_ = true;
            set_deadline(true); // its first bytes are here: the rest within header_timeout
        }
        if (!parse_buffered()) return false;
        if (n < room) return wait_readable(), false; // drained
        return true;
    }

    // Bytes already buffered (pipelined, or sniffed): parse them first.
    void parse() {
        if (parse_buffered()) wait_readable();
    }

    // Feed the buffered bytes to the parser. True if the request needs more;
    // otherwise the request (or its error) has been handed on.
    bool parse_buffered() {
        while (buffer_.size() > 0 && !parser_->is_done()) {
            boost::system::error_code ec;
            std::size_t used = parser_->put(buffer_.data(), ec);
            buffer_.consume(used);
            if (ec == http::error::need_more) break;
            if (ec) return on_read(ec), false;
            // The parser stops after the header (it is not eager): the
            // body's bytes, if any, are still buffered.
            if (!expect_checked_ && parser_->is_header_done()) {
                expect_checked_ = true;
                if (wants_continue() && !send_continue()) return false;
            }
            if (used == 0) break;
        }
        if (parser_->is_done()) return on_read({}), false;
        return true;
    }

    // Expect: 100-continue (RFC 9110 §10.1.1): the client waits for a
    // 100 Continue before it sends the body (curl, for a body over 1 MiB,
    // waits a second, then sends it anyway). A body over max_message_bytes
    // by its Content-Length has already been refused by the parser (413,
    // and no 100). None is sent to an HTTP/1.0 client, or once the body has
    // begun to arrive.
    bool wants_continue() const {
        const auto& head = parser_->get();
        return head.version() >= 11 && !parser_->is_done() && buffer_.size() == 0 &&
               boost::beast::iequals(head[http::field::expect], "100-continue");
    }

    // Write the 100 Continue. True when it is out and reading goes on;
    // false when the socket took only part of it (or failed): reading
    // resumes once the rest is written, as reads and writes never overlap
    // here (net/drained.hpp).
    bool send_continue() {
        static constexpr std::string_view k100 = "HTTP/1.1 100 Continue\r\n\r\n";
        boost::system::error_code ec;
        std::size_t n = conn_.socket.write_some(asio::buffer(k100.data(), k100.size()), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {}, n = 0;
        if (ec) return on_read(ec), false;
        if (n == k100.size()) return true;
        asio::async_write(conn_.socket, asio::buffer(k100.data() + n, k100.size() - n),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (ec) return self->on_read(ec);
                              self->parse();
                          });
        return false;
    }

    // An idle keep-alive connection may wait idle_timeout for its next
    // request; a request under way must arrive whole within header_timeout.
    // Setting a deadline costs a clock read, not a timer operation: the timer
    // is armed only when none is pending, to fire no later than any deadline
    // set before it fires could fall (now + the shorter timeout), and checks
    // the deadline of the moment when it does.
    void set_deadline(bool started) {
        const auto& l = conn_.settings->limits;
        auto now = std::chrono::steady_clock::now();
        started_ = started;
        deadline_ = now + (started ? l.header_timeout : l.idle_timeout);
        if (!timer_pending_) arm_timer(now);
    }

    void arm_timer(std::chrono::steady_clock::time_point now) {
        const auto& l = conn_.settings->limits;
        timer_pending_ = true;
        timer_.expires_at(std::min(deadline_, now + std::min(l.header_timeout, l.idle_timeout)));
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) { self->on_timer(ec); });
    }

    void on_timer(boost::system::error_code ec) {
        timer_pending_ = false;
        if (ec || !reading_) return; // closed, or serving: the next read sets a deadline
        auto now = std::chrono::steady_clock::now();
        if (now < deadline_) return arm_timer(now);
        if (started_) {
            spdlog::info("{}: http: request not complete within the header timeout; closing", conn_.peer);
            conn_.ctx.counters.limit(LimitKind::HeaderTimeout);
        } else {
            spdlog::debug("{}: http: idle; closing", conn_.peer);
        }
        cancel_read();
    }

    // End the read under way with operation_aborted.
    void cancel_read() {
        if (recv_queued_) return cancel_queued_recv(*this); // received(-ECANCELED): operation_aborted
        boost::system::error_code ignored;
        conn_.socket.cancel(ignored);
    }

    void on_read(boost::system::error_code ec) {
        reading_ = false;
        if (ec == asio::error::operation_aborted) return close();
        if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset)
            return close();
        if (ec) {
            // Over a limit (body, header) or malformed: worth a line, once for the connection, which closes.
            spdlog::info("{}: http: {}; closing", conn_.peer, ec.message());
            if (ec == http::error::body_limit) {
                conn_.ctx.counters.limit(LimitKind::MessageBytes);
                return respond_error(http::status::payload_too_large,
                                     "request body larger than " +
                                         std::to_string(conn_.settings->limits.max_message_bytes) + " bytes\n",
                                     false);
            }
            if (ec == http::error::header_limit)
                return respond_error(http::status::request_header_fields_too_large, "request header too large\n",
                                     false);
            if (ec.category() == boost::system::error_code(http::error::end_of_stream).category())
                return respond_error(http::status::bad_request, "malformed HTTP request: " + ec.message() + "\n",
                                     false);
            return close();
        }
        req_ = parser_->release();
        route();
    }

    void route() {
        std::string_view target = req_.target();
        std::string_view path = target.substr(0, target.find('?'));
        std::string_view query = path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view();
        const Settings& s = *conn_.settings;
        if (path == s.rpc_path) {
            if (req_.method() == http::verb::post) return serve_jsonrpc();
            return respond_error(http::status::method_not_allowed,
                                 "405 method not allowed: POST a JSON-RPC request here, or CONNECT for Go's "
                                 "net/rpc (rpc.DialHTTP)\n",
                                 true, "POST, CONNECT");
        }
        bool get = req_.method() == http::verb::get || req_.method() == http::verb::head;
        if (path == "/livez" || path == "/readyz") {
            if (!get) return respond_error(http::status::method_not_allowed, "405 method not allowed: use GET\n", true,
                                           "GET, HEAD");
            std::string why = path == "/livez" ? not_live_reason(conn_.ctx) : not_ready_reason(conn_.ctx);
            if (why.empty()) return respond(http::status::ok, "text/plain; charset=utf-8", "ok\n");
            return respond(http::status::service_unavailable, "text/plain; charset=utf-8", why + "\n");
        }
        if (path == s.debug_path || path == "/healthz" || path == "/metrics" || path == "/openrpc.json") {
            if (path != "/healthz" && !admin_allowed())
                return respond_error(http::status::forbidden,
                                     "403 forbidden: " + std::string(path) +
                                         " is served to loopback peers and [http] admin_allow only\n",
                                     true);
            if (!get) return respond_error(http::status::method_not_allowed, "405 method not allowed: use GET\n", true,
                                           "GET, HEAD");
            if (path == "/healthz") return respond(http::status::ok, "text/plain; charset=utf-8", "ok\n");
            if (path == "/metrics")
                return respond_rendered("text/plain; version=0.0.4; charset=utf-8",
                                        [](HttpSession& self) { return render_metrics(self.conn_.ctx); });
            if (path == "/openrpc.json")
                return respond_rendered("application/json", [](HttpSession& self) { return self.openrpc_text(); });
            DebugFormat f = choose_debug_format(req_[http::field::accept], query);
            return respond_rendered(debug_content_type(f), [f, query = std::string(query),
                                                            debug_path = s.debug_path](HttpSession& self) {
                auto reg = self.conn_.ctx.dispatcher.registry();
                return render_debug_page(*reg, self.conn_.ctx, f, query, debug_path);
            });
        }
        respond_error(http::status::not_found, "404 not found: " + std::string(path) + "\n", true);
    }

    // An admin page, rendered on the admin worker (http/admin_worker.hpp)
    // and answered back on this connection's thread. The connection reads
    // nothing more until then.
    template <class Render>
    void respond_rendered(const char* content_type, Render render) {
        auto self = std::static_pointer_cast<HttpSession>(shared_from_this());
        // Counted as work of the connection's loop until the answer is back
        // on it, so the loop does not run out of work and return meanwhile.
        boost::asio::any_io_executor home =
            asio::prefer(conn_.socket.get_executor(), asio::execution::outstanding_work.tracked);
        bool queued = conn_.ctx.admin.post([self, home, content_type, render = std::move(render)]() mutable {
            std::string body;
            try {
                body = render(*self);
            } catch (const std::exception& e) {
                body = std::string("the page could not be rendered: ") + e.what() + "\n";
            }
            // Everything that belongs to the loop goes back to it: this job
            // may be destroyed after the loop is gone.
            auto ex = self->conn_.socket.get_executor();
            asio::post(ex, [self = std::move(self), work = std::move(home), content_type, body = std::move(body)]() mutable {
                self->respond(http::status::ok, content_type, body);
                work = {};
            });
        });
        if (!queued)
            respond_error(http::status::service_unavailable,
                          "503 service unavailable: " + std::to_string(AdminWorker::kMaxWaiting) +
                              " admin pages are waiting to be rendered; try again\n",
                          true);
    }

    // The OpenRPC document, without the methods the access rules refuse this peer.
    std::string openrpc_text() {
        std::function<bool(std::string_view)> shown;
        if (gate_) shown = [this](std::string_view m) { return gate_->visible(m); };
        return boost::json::serialize(openrpc_document(*conn_.ctx.dispatcher.registry(), shown)) + "\n";
    }

    // Loopback and unix-socket peers may read the admin pages, and the
    // ranges of [http] admin_allow.
    bool admin_allowed() const {
        const auto& ep = conn_.remote;
        if (ep.size() == 0) return false;
        // A unix peer of ours, not one a proxy relays from its own machine.
        if (ep.data()->sa_family == AF_UNIX) return conn_.who.proxied_by.empty();
        auto tcp = ip_endpoint(ep);
        if (!tcp) return false;
        auto a = tcp->address();
        if (a.is_loopback()) return true;
        for (const auto& c : conn_.settings->admin_allow)
            if (c.contains(a)) return true;
        return false;
    }

    void serve_jsonrpc() {
        note_call();
        probed_ = false;
        watch_wakes_ = 0;
        jsonrpc::DecodeLimits limits{conn_.settings->limits.max_json_depth, conn_.settings->limits.max_batch,
                                     conn_.settings->jsonrpc_default_service};
        awaiting_ = true;
        {
            CallerCalls::Scope mine(waiting_); // the calls that wait are cancelled if the client goes
            jsonrpc::serve_message(conn_.ctx.dispatcher, req_.body(), limits,
                                   [self = shared_from_this()](std::string_view reply, Outcome::Kind kind) {
                                       if (self->at_home_now()) return self->respond_jsonrpc(reply, kind);
                                       asio::dispatch(self->conn_.socket.get_executor(),
                                                      [self, reply = std::string(reply), kind] {
                                                          self->respond_jsonrpc(reply, kind);
                                                      });
                                   },
                                   jsonrpc::Dialect::V2, gate_ ? &*gate_ : nullptr);
        }
        if (awaiting_) watch_client();
    }

    // While a request waits for its answer, the connection is not read (a
    // client sends its next request after this one's response), but it is
    // watched: a reset is the client gone, and so is a close. A client that
    // only shut down its sending side (`printf ... | nc -N`) may still read,
    // and the end of the stream alone does not tell the two apart; so an
    // HTTP/1.1 client is sent an interim `100 Continue`, which every 1.1
    // client reads past (RFC 9110 §15.2): a closed socket answers it with a
    // reset, a half-closed one takes it and gets its response after it.
    // (An HTTP/1.0 client may not be sent one: its end of stream is taken
    // as gone, as nginx and Go's net/http take it.) Bytes of a next request
    // (pipelined) end the watch. Costs one epoll_ctl for an answer that did
    // not come at once, and one cancel when it comes.
    void watch_client() {
        watching_ = true;
        auto what = probed_ ? Socket::wait_error : Socket::wait_read;
        conn_.socket.async_wait(what, [self = shared_from_this()](boost::system::error_code ec) {
            self->watching_ = false;
            if (ec || !self->awaiting_) return; // answered (the wait cancelled), or closed
            self->look_at_client();
        });
    }

    void look_at_client() {
        int fd = conn_.socket.native_handle();
        // A reset after the end of the stream is not seen by a read (it
        // gives the end first), only as the socket's error, or a TCP
        // socket's state.
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0)
            return client_gone("its connection was reset");
        tcp_info info{};
        len = sizeof info;
        if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 && info.tcpi_state == TCP_CLOSE)
            return client_gone("its connection was reset");
        char byte;
        ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) return; // a pipelined request
        bool again = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
        if (n < 0 && !again) return client_gone("its connection was reset");
        if (++watch_wakes_ > kMaxWatchWakes) return; // woken for nothing, again and again: stop
        if (again || probed_) return watch_client();
        // The end of its stream.
        if (req_.version() < 11) return client_gone("its connection closed");
        static constexpr std::string_view k100 = "HTTP/1.1 100 Continue\r\n\r\n";
        probed_ = true;
        ssize_t w = ::send(conn_.socket.native_handle(), k100.data(), k100.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return client_gone("its connection closed");
        // Nothing else is being written, so it fits; what would not goes
        // ahead of the response.
        probe_rest_ = k100.substr(w < 0 ? 0 : static_cast<std::size_t>(w));
        watch_client(); // for the reset a closed socket answers with
    }

    void client_gone(const char* why) {
        gone_ = true;
        std::size_t n = waiting_.cancel_all(why); // their answer comes here: respond() closes
        spdlog::debug("{}: http: the client went away waiting for its response; {} call(s) cancelled", conn_.peer, n);
        if (awaiting_) close(); // not one of its calls waits here (the answer is on another thread's way)
    }

    void respond_jsonrpc(std::string_view reply, Outcome::Kind kind) {
        awaiting_ = false;
        if (watching_) {
            watching_ = false;
            boost::system::error_code ignored;
            conn_.socket.cancel(ignored); // only the watch waits on the socket now
        }
        if (gone_) return close();
        if (reply.empty()) return respond(http::status::no_content, "", "");
        Scratch body; // the reply and its newline
        body.text().append(reply);
        body.text() += '\n';
        // One call refused by its method's max_concurrency: 503, which a
        // balancer retries on another server (HAProxy: retry-on 503).
        bool overloaded = kind == Outcome::Kind::Overloaded;
        respond(overloaded ? http::status::service_unavailable : http::status::ok, "application/json", body.text());
    }

    bool at_home_now() {
        auto home = conn_.socket.get_executor();
        auto* ex = home.target<asio::io_context::executor_type>();
        return ex && ex->running_in_this_thread();
    }

    void respond_error(http::status status, std::string_view text, bool keep_alive, const char* allow = nullptr) {
        keep_alive_override_ = keep_alive ? std::nullopt : std::optional<bool>(false);
        allow_ = allow;
        respond(status, "text/plain; charset=utf-8", text);
    }

    // The response is formatted into out_ (as Beast would serialise it) and
    // written at once on the non-blocking socket; only what does not fit
    // waits for an asynchronous write.
    void respond(http::status status, const char* content_type, std::string_view body) {
        ResponseHead head;
        head.version = req_.version();
        head.status = status;
        head.content_type = content_type;
        head.allow = allow_;
        head.keep_alive = !draining_ && keep_alive_override_.value_or(req_.keep_alive());
        keep_alive_override_.reset();
        allow_ = nullptr;
        keep_alive_ = head.keep_alive;
        out_.assign(std::exchange(probe_rest_, {}));
        append_response(out_, head, req_.method() == http::verb::head ? std::string_view() : body);
        if (queue_send(*this, conn_.socket.native_handle(), out_.data(), out_.size())) return;
        boost::system::error_code ec;
        std::size_t n = conn_.socket.write_some(asio::buffer(out_), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {}, n = 0;
        if (ec) return close();
        write_rest(n);
    }

    // The first n bytes of out_ are sent: the rest waits for an asynchronous write.
    void write_rest(std::size_t n) {
        if (n == out_.size()) return written();
        asio::async_write(conn_.socket, asio::buffer(out_.data() + n, out_.size() - n),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->written();
                          });
    }

    void written() {
        if (!keep_alive_) return close();
        read();
    }

    void close() {
        timer_.cancel(); // its handler holds the session
        boost::system::error_code ignored;
        conn_.socket.shutdown(Socket::shutdown_send, ignored);
        conn_.socket.close(ignored);
    }

    Connection conn_;
    ReadBuffer buffer_;
    static constexpr std::size_t kReadChunk = 16 * 1024;

    std::optional<http::request_parser<http::string_body>> parser_;
    bool got_bytes_ = false; // of the request being read
    bool expect_checked_ = false; // its Expect header has been looked at (once the header is in)
    Request req_;
    std::string out_;        // the response being written
    bool keep_alive_ = true;
    std::optional<bool> keep_alive_override_;
    const char* allow_ = nullptr;
    boost::asio::steady_timer timer_;
    std::chrono::steady_clock::time_point deadline_; // of the read under way (set_deadline)
    bool started_ = false;                           // deadline_ is header_timeout's, not idle_timeout's
    bool timer_pending_ = false;
    bool reading_ = false;
    bool recv_queued_ = false;    // the read under way is queued in the loop's batch (net/batched_io.hpp)
    std::size_t recv_room_ = 0;   // ... asking for this many bytes
    int dry_recvs_ = 0;           // batched reads in a row that found nothing
    bool read_on_edge_ = false; // the read under way waits for an epoll event (net/drained.hpp)
    bool draining_ = false;
    std::optional<AccessGate> gate_; // when [access] rules apply
    CallerCalls waiting_;   // calls of its requests that wait for their answers
    bool awaiting_ = false; // a JSON-RPC request waits for its answer
    bool watching_ = false; // ... and watch_client() waits on the socket
    bool probed_ = false;   // ... and its client, at the end of its stream, was sent a 100 Continue
    int watch_wakes_ = 0;   // ... the watch's wake-ups
    std::string_view probe_rest_; // what the socket did not take of the 100 Continue
    static constexpr int kMaxWatchWakes = 16;
    bool gone_ = false;     // the client went away while it waited
};

} // namespace

void start_http_session(Connection conn, ReadBuffer buffer) {
    std::make_shared<HttpSession>(std::move(conn), std::move(buffer))->start();
}

} // namespace plugrpc
