// Codec over gob: RequestEncoder out, ReplyDecoder in.
#include "codec/codec.hpp"
#include "codec/gob_reply_decoder.hpp"
#include "codec/gob_request_encoder.hpp"

#include "wire/schema.hpp"

namespace plugrpc::client::wire {

namespace {

class GobCodec final : public Codec {
public:
    explicit GobCodec(std::size_t max) : decoder_(max) {}

    std::string encode(std::string& out, std::uint64_t seq, std::string_view method, const boost::json::value& params,
                       const CallTypes* types) override {
        if (!types || !types->args || !types->reply) return "gob needs the argument and reply types of " + std::string(method);
        NormalizeResult args = normalize(params, *types->args);
        if (!args.ok()) return "invalid argument for " + std::string(method) + ": " + args.error;
        encoder_.encode(out, method, seq, args.value, *types->args);
        return {};
    }

    void feed(std::string_view bytes) override { decoder_.feed(bytes); }

    Step next(Reply& out, const ReplyTypeOf& reply_type) override {
        for (;;) {
            switch (decoder_.next()) {
            case gob::ReplyDecoder::Step::NeedMore: return Step::NeedMore;
            case gob::ReplyDecoder::Step::Fatal: return Step::Fatal;
            case gob::ReplyDecoder::Step::Header: continue;
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
            const Schema* type = reply_type(out.seq);
            if (!type) {
                decoder_.skip_body();
                return Step::Reply;
            }
            gob::ReplyDecoder::BodyResult body = decoder_.body_as(*type);
            if (body.ok()) {
                out.result = std::move(body.value);
            } else {
                out.outcome = Reply::Outcome::BadBody;
                out.error = "reading body " + body.error;
            }
            return Step::Reply;
        }
    }

    const std::string& fatal_error() const override { return decoder_.fatal_error(); }

private:
    gob::RequestEncoder encoder_;
    gob::ReplyDecoder decoder_;
};

} // namespace

std::unique_ptr<Codec> make_gob_codec(std::size_t max_reply_bytes) {
    return std::make_unique<GobCodec>(max_reply_bytes);
}

} // namespace plugrpc::client::wire
