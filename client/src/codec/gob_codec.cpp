// Codec over gob: RequestEncoder out, ReplyDecoder in.
#include "codec/codec.hpp"
#include "codec/gob_reply_decoder.hpp"
#include "codec/gob_request_encoder.hpp"
#include "codec/hex_dump.hpp"

#include "wire/schema.hpp"

#include <boost/json/serialize.hpp>

namespace plugrpc::client::wire {

namespace json = boost::json;

namespace {

class GobCodec final : public Codec {
public:
    GobCodec(std::size_t max, Trace trace) : decoder_(max), trace_(std::move(trace)) {}

    std::string encode(std::string& out, std::uint64_t seq, std::string_view method, const boost::json::value& params,
                       const CallTypes* types) override {
        if (!types || !types->args) return "gob needs the argument type of " + std::string(method);
        NormalizeResult args = normalize(params, *types->args);
        if (!args.ok()) return "invalid params for " + std::string(method) + ": " + args.error;
        std::size_t begin = out.size();
        encoder_.encode(out, method, seq, args.value, *types->args);
        if (trace_)
            trace_("> gob Request{ServiceMethod: " + json::serialize(json::string_view(method)) +
                   ", Seq: " + std::to_string(seq) + "}\n> gob " + type_name(*types->args) + " " +
                   json::serialize(args.value) + "\n" + hex_dump(std::string_view(out).substr(begin), "> "));
        return {};
    }

    void feed(std::string_view bytes) override {
        if (trace_ && !bytes.empty()) trace_(hex_dump(bytes, "< "));
        decoder_.feed(bytes);
    }

    Step next(Reply& out, const ReplyTypeOf& reply_type) override {
        for (;;) {
            switch (decoder_.next()) {
            case gob::ReplyDecoder::Step::NeedMore: return Step::NeedMore;
            case gob::ReplyDecoder::Step::Fatal: return Step::Fatal;
            case gob::ReplyDecoder::Step::Header: trace_header(); continue;
            case gob::ReplyDecoder::Step::Body: break;
            }
            out = Reply{};
            out.seq = decoder_.seq();
            // Every header has one body: an error's is an empty struct.
            if (!decoder_.error().empty()) {
                decoder_.skip_body();
                out.outcome = Reply::Outcome::ServerError;
                out.error = decoder_.error();
                return Step::Reply;
            }
            ReplyType type = reply_type(out.seq);
            if (!type.waited) {
                decoder_.skip_body();
                return Step::Reply;
            }
            gob::ReplyDecoder::BodyResult body =
                type.schema ? decoder_.body_as(*type.schema) : decoder_.body_as_received();
            if (body.ok()) {
                out.result = std::move(body.value);
                if (trace_) trace_("< gob " + json::serialize(out.result));
            } else {
                out.outcome = Reply::Outcome::BadBody;
                out.error = "reading body " + body.error;
            }
            return Step::Reply;
        }
    }

    const std::string& fatal_error() const override { return decoder_.fatal_error(); }

private:
    void trace_header() {
        if (!trace_) return;
        trace_("< gob Response{ServiceMethod: " + json::serialize(json::string_view(decoder_.service_method())) +
               ", Seq: " + std::to_string(decoder_.seq()) +
               ", Error: " + json::serialize(json::string_view(decoder_.error())) + "}");
    }

    gob::RequestEncoder encoder_;
    gob::ReplyDecoder decoder_;
    Trace trace_;
};

} // namespace

std::unique_ptr<Codec> make_gob_codec(std::size_t max_reply_bytes, Trace trace) {
    return std::make_unique<GobCodec>(max_reply_bytes, std::move(trace));
}

} // namespace plugrpc::client::wire
