// A JSON-RPC stream over TCP or a unix socket: Go's jsonrpc codec and
// JSON-RPC 2.0 on the same connection.
//
// read -> frame -> decode -> dispatch ... outcomes -> encode -> write
//
// Every complete value in what was read is decoded and dispatched before the
// next read; replies that are ready by then leave in one write. Calls may
// finish out of order (ids match them). When too many calls are in flight,
// or too many reply bytes wait for a slow reader, reading pauses.
#include "codec/jsonrpc/framer.hpp"
#include "codec/jsonrpc/serve.hpp"
#include "net/connection.hpp"
#include "net/reply_writer.hpp"

#include <boost/asio/dispatch.hpp>
#include <spdlog/spdlog.h>

namespace plugrpc {
namespace asio = boost::asio;
using namespace jsonrpc;

namespace {

class JsonSession : public std::enable_shared_from_this<JsonSession> {
public:
    JsonSession(Connection conn, ReadBuffer buffer)
        : conn_(std::move(conn)),
          in_(std::move(buffer)),
          framer_(conn_.settings->limits.max_message_bytes, conn_.settings->limits.max_json_depth),
          writer_(conn_.socket) {
        conn_.gauge->become(Protocol::Json);
        limits_.max_depth = conn_.settings->limits.max_json_depth;
        limits_.max_batch = conn_.settings->limits.max_batch;
        in_.max_size(conn_.settings->limits.max_message_bytes + kReadChunk);
    }

    void start() {
        writer_.on_drained = [this] { on_drained(); };
        process();
    }

private:
    void read() {
        if (reading_ || read_closed_ || paused()) return;
        // The framer refuses a value over the limit before the buffer can
        // outgrow it, so there is always room here.
        std::size_t room = std::min(kReadChunk, in_.max_size() - in_.size());
        if (room == 0) {
            fail_stream(Framer::Status::TooLarge);
            writer_.flush(shared_from_this());
            return;
        }
        reading_ = true;
        conn_.socket.async_read_some(in_.prepare(room), [self = shared_from_this()](boost::system::error_code ec,
                                                                                         std::size_t n) {
            self->reading_ = false;
            self->in_.commit(n);
            if (ec) {
                self->read_closed_ = true;
                if (ec != asio::error::eof && ec != asio::error::operation_aborted)
                    spdlog::debug("{}: json: read: {}", self->conn_.peer, ec.message());
            }
            self->process();
        });
    }

    bool paused() const {
        return inflight_ >= conn_.settings->limits.max_inflight_per_connection || writer_.backlog() > kMaxBacklog;
    }

    // Decode and dispatch every complete value in the buffer.
    void process() {
        processing_ = true;
        while (!paused() && !failed_) {
            std::string_view data(static_cast<const char*>(in_.data().data()), in_.size());
            std::size_t begin = 0, end = 0;
            Framer::Status st = framer_.next(data, begin, end);
            if (st == Framer::Status::NeedMore) break;
            if (st != Framer::Status::Complete) {
                fail_stream(st);
                break;
            }
            handle(data.substr(begin, end - begin));
            in_.consume(end);
        }
        if (read_closed_ && !failed_ && in_.size() > 0 && !paused()) {
            std::string_view rest(static_cast<const char*>(in_.data().data()), in_.size());
            if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos) {
                reply_error(ParseError, "Parse error: the connection closed inside a JSON value");
            }
            in_.consume(in_.size());
        }
        processing_ = false;
        writer_.flush(shared_from_this());
        if (read_closed_ || failed_) maybe_close();
        else read();
    }

    void fail_stream(Framer::Status st) {
        failed_ = true;
        const auto& l = conn_.settings->limits;
        std::string why = st == Framer::Status::TooLarge
                              ? "Parse error: message larger than " + std::to_string(l.max_message_bytes) + " bytes"
                          : st == Framer::Status::TooDeep
                              ? "Parse error: nested deeper than " + std::to_string(l.max_json_depth) + " levels"
                              : "Parse error: expected a JSON object or array";
        spdlog::debug("{}: json: {}; closing", conn_.peer, why);
        reply_error(st == Framer::Status::Garbage ? ParseError : InvalidRequest, why);
        in_.consume(in_.size());
    }

    void reply_error(int code, std::string_view why) {
        std::string& out = writer_.buffer();
        encode_error(out, Dialect::V2, nullptr, code, why);
        out += '\n';
    }

    void handle(std::string_view text) {
        ++inflight_;
        serve_message(conn_.ctx.dispatcher, text, limits_, [self = shared_from_this()](std::string reply) {
            asio::dispatch(self->conn_.socket.get_executor(), [self, reply = std::move(reply)] {
                --self->inflight_;
                if (!reply.empty()) {
                    std::string& out = self->writer_.buffer();
                    out += reply;
                    out += '\n';
                }
                self->resume();
            });
        });
    }

    // After a call finished: write, and read again if reading had paused.
    void resume() {
        if (processing_) return; // process() flushes when it is done
        writer_.flush(shared_from_this());
        if (!read_closed_ && !failed_) {
            if (!reading_ && !paused()) process();
        } else {
            maybe_close();
        }
    }

    void on_drained() {
        if (processing_) return;
        if (read_closed_ || failed_) maybe_close();
        else if (!reading_ && !paused()) process();
    }

    void maybe_close() {
        if (inflight_ == 0 && writer_.idle() && !closed_) {
            closed_ = true;
            boost::system::error_code ignored;
            conn_.socket.shutdown(Socket::shutdown_send, ignored);
            conn_.socket.close(ignored);
        }
    }

    static constexpr std::size_t kMaxBacklog = 4u << 20;
    static constexpr std::size_t kReadChunk = 64 * 1024;

    Connection conn_;
    ReadBuffer in_;
    Framer framer_;
    DecodeLimits limits_;
    ReplyWriter writer_;
    std::size_t inflight_ = 0;
    bool reading_ = false;
    bool read_closed_ = false;
    bool failed_ = false;
    bool closed_ = false;
    bool processing_ = false;
};

} // namespace

void start_json_session(Connection conn, ReadBuffer buffer) {
    std::make_shared<JsonSession>(std::move(conn), std::move(buffer))->start();
}

} // namespace plugrpc
