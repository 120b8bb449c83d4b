// Codec over JSON-RPC 2.0 (or Go's jsonrpc): one request per line out;
// replies in, split by the daemon's framer and read in either dialect (2.0
// error objects, or Go's jsonrpc "error" strings).
#include "codec/codec.hpp"

#include "wire/jsonrpc/framer.hpp"

#include <plugrpc/json_parse.hpp>

#include <boost/json/serialize.hpp>

namespace plugrpc::client::wire {

namespace json = boost::json;

namespace {

constexpr unsigned kMaxDepth = 64;

class JsonCodec final : public Codec {
public:
    JsonCodec(std::size_t max, bool go_dialect, Trace trace)
        : max_(max), go_(go_dialect), framer_(max, kMaxDepth), trace_(std::move(trace)) {}

    std::string encode(std::string& out, std::uint64_t seq, std::string_view method, const json::value& params,
                       const CallTypes*) override {
        std::size_t begin = out.size();
        out += go_ ? "{\"method\":" : "{\"jsonrpc\":\"2.0\",\"method\":";
        out += json::serialize(json::string_view(method));
        // Go's: the argument is params[0]. 2.0: named params for a struct
        // (or map); any other argument by position; no argument, no params
        // (the server's zero value: `[]` would be a count of 0).
        if (go_ || !(params.is_object() || params.is_null())) out += ",\"params\":[" + json::serialize(params) + "]";
        else if (params.is_object()) out += ",\"params\":" + json::serialize(params);
        out += ",\"id\":";
        out += std::to_string(seq);
        out += "}\n";
        if (trace_) trace_("> " + out.substr(begin, out.size() - begin - 1));
        return {};
    }

    void feed(std::string_view bytes) override {
        if (fatal_.empty()) buf_.append(bytes);
    }

    Step next(Reply& out, const ReplyTypeOf&) override {
        if (!fatal_.empty()) return Step::Fatal;
        std::size_t begin = 0, end = 0;
        switch (framer_.next(std::string_view(buf_).substr(pos_), begin, end)) {
        case jsonrpc::Framer::Status::NeedMore: return Step::NeedMore;
        case jsonrpc::Framer::Status::TooLarge:
            return fail("reply longer than the limit of " + std::to_string(max_) + " bytes");
        case jsonrpc::Framer::Status::TooDeep: return fail("reply nested deeper than " + std::to_string(kMaxDepth));
        case jsonrpc::Framer::Status::Garbage: return fail("the server sent something that is not JSON");
        case jsonrpc::Framer::Status::Mismatched: return fail("the server sent JSON whose brackets do not match");
        case jsonrpc::Framer::Status::Complete: break;
        }
        std::string_view text = std::string_view(buf_).substr(pos_ + begin, end - begin);
        if (trace_) trace_("< " + std::string(text));
        Step step = read_reply(text, out);
        if (step == Step::Fatal) return step;
        pos_ += end;
        if (pos_ == buf_.size()) buf_.clear(), pos_ = 0;
        else if (pos_ > buf_.size() / 2) buf_.erase(0, pos_), pos_ = 0;
        return step;
    }

    const std::string& fatal_error() const override { return fatal_; }

private:
    Step fail(std::string why) {
        fatal_ = std::move(why);
        buf_.clear();
        pos_ = 0;
        return Step::Fatal;
    }

    Step read_reply(std::string_view text, Reply& out) {
        json::error_code ec;
        json::parse_options opt;
        opt.max_depth = kMaxDepth;
        json::value v = parse_json(text, ec, {}, opt);
        if (ec) return fail("invalid JSON from the server: " + ec.message());
        const json::object* o = v.if_object();
        if (!o) return fail("the server sent a JSON value that is not a reply: " + std::string(text.substr(0, 200)));
        out = Reply{};
        const json::value* error = o->if_contains("error");
        const json::value* id = o->if_contains("id");
        if (!id || !id->is_number()) {
            // The server could not read a request of ours: nothing on this
            // stream can be trusted to line up any more.
            std::string why = error ? error_text(*error) : "a reply without an id";
            return fail("the server answered without an id: " + why);
        }
        json::error_code nec;
        out.seq = id->to_number<std::uint64_t>(nec);
        if (nec) return fail("reply id " + json::serialize(*id) + " is not one of ours");
        if (error && !error->is_null()) {
            out.outcome = Reply::Outcome::ServerError;
            out.error = error_text(*error);
            if (const json::object* e = error->if_object())
                if (const json::value* c = e->if_contains("code"); c && c->is_int64())
                    out.code = static_cast<int>(c->get_int64());
            return Step::Reply;
        }
        if (const json::value* result = o->if_contains("result")) out.result = *result;
        return Step::Reply;
    }

    // A 2.0 error object's message, or Go's error string ("" is Go's
    // "unspecified error").
    static std::string error_text(const json::value& e) {
        if (const json::string* s = e.if_string()) return s->empty() ? "unspecified error" : std::string(*s);
        if (const json::object* o = e.if_object())
            if (const json::value* m = o->if_contains("message"); m && m->is_string())
                return std::string(m->get_string());
        return json::serialize(e);
    }

    std::size_t max_;
    bool go_;
    jsonrpc::Framer framer_;
    Trace trace_;
    std::string buf_;
    std::size_t pos_ = 0;
    std::string fatal_;
};

} // namespace

std::unique_ptr<Codec> make_json_codec(std::size_t max_reply_bytes, bool go_dialect, Trace trace) {
    return std::make_unique<JsonCodec>(max_reply_bytes, go_dialect, std::move(trace));
}

} // namespace plugrpc::client::wire
