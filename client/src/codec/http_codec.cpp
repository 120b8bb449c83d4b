// Codec over HTTP/1.1: each JSON-RPC 2.0 request is a POST to the rpc path
// on one kept-alive connection; the responses come back in order, each
// body one JSON-RPC reply, read by the JSON codec.
#include "codec/codec.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>

namespace plugrpc::client::wire {

namespace http = boost::beast::http;

namespace {

constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;

class HttpCodec final : public Codec {
public:
    HttpCodec(std::size_t max, std::string host, std::string path, Trace trace)
        : max_(max), host_(std::move(host)), path_(std::move(path)), json_(make_json_codec(max)),
          trace_(std::move(trace)) {
        reset_parser();
    }

    std::string encode(std::string& out, std::uint64_t seq, std::string_view method, const boost::json::value& params,
                       const CallTypes* types) override {
        body_.clear();
        std::string why = json_->encode(body_, seq, method, params, types);
        if (!why.empty()) return why;
        std::size_t begin = out.size();
        out += "POST " + path_ + " HTTP/1.1\r\nHost: " + host_ +
               "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " +
               std::to_string(body_.size()) + "\r\n\r\n";
        out += body_;
        if (trace_) trace_(marked("> ", std::string_view(out).substr(begin)));
        return {};
    }

    void feed(std::string_view bytes) override {
        if (fatal_.empty()) buf_.append(bytes);
    }

    Step next(Reply& out, const ReplyTypeOf& reply_type) override {
        if (!fatal_.empty()) return Step::Fatal;
        // A response already handed to the JSON codec may hold no more replies.
        if (Step s = json_->next(out, reply_type); s != Step::NeedMore)
            return s == Step::Fatal ? fail(json_->fatal_error()) : s;
        while (!parser_->is_done()) {
            boost::system::error_code ec;
            std::size_t used = parser_->put(boost::asio::buffer(buf_.data() + pos_, buf_.size() - pos_), ec);
            if (trace_) raw_.append(buf_, pos_, used);
            pos_ += used;
            if (ec == http::error::need_more) break;
            if (ec) return fail("bad HTTP response: " + ec.message());
            if (used == 0 && !parser_->is_done()) break;
        }
        compact();
        if (!parser_->is_done()) return Step::NeedMore;
        auto res = parser_->release();
        reset_parser();
        if (trace_) trace_(marked("< ", raw_)), raw_.clear();
        // A JSON-RPC answer with another status (503 for a method over its
        // max_concurrency) is read as the answer it is.
        bool json_answer = res[http::field::content_type].substr(0, 16) == "application/json";
        if (res.result() != http::status::ok && !json_answer) {
            std::string body = res.body().substr(0, 300);
            while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
            return fail("HTTP " + std::to_string(res.result_int()) + " " + std::string(res.reason()) +
                        (body.empty() ? "" : ": " + body));
        }
        json_->feed(res.body());
        Step s = json_->next(out, reply_type);
        return s == Step::Fatal ? fail(json_->fatal_error()) : s;
    }

    const std::string& fatal_error() const override { return fatal_; }

private:
    // Each line of an HTTP message behind `mark`, its CRLFs shown as line ends.
    static std::string marked(std::string_view mark, std::string_view message) {
        std::string out(mark);
        for (std::size_t i = 0; i < message.size(); ++i) {
            char c = message[i];
            if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
            if (c == '\n' && i + 1 < message.size()) out += "\n" + std::string(mark);
            else if (c != '\n') out += c;
        }
        return out;
    }

    void reset_parser() {
        parser_.emplace();
        parser_->header_limit(kMaxHeaderBytes);
        parser_->body_limit(max_);
    }

    void compact() {
        if (pos_ == buf_.size()) buf_.clear(), pos_ = 0;
        else if (pos_ > buf_.size() / 2) buf_.erase(0, pos_), pos_ = 0;
    }

    Step fail(std::string why) {
        if (fatal_.empty()) fatal_ = std::move(why);
        buf_.clear();
        pos_ = 0;
        return Step::Fatal;
    }

    std::size_t max_;
    std::string host_, path_;
    std::unique_ptr<Codec> json_;
    std::optional<http::response_parser<http::string_body>> parser_;
    std::string buf_, body_, raw_;
    std::size_t pos_ = 0;
    Trace trace_;
    std::string fatal_;
};

} // namespace

std::unique_ptr<Codec> make_http_codec(std::size_t max_reply_bytes, std::string host, std::string path,
                                       Trace trace) {
    return std::make_unique<HttpCodec>(max_reply_bytes, std::move(host), std::move(path), std::move(trace));
}

} // namespace plugrpc::client::wire
