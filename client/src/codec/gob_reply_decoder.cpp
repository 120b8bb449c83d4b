#include "codec/gob_reply_decoder.hpp"

#include "wire/gob/input.hpp"
#include "wire/gob/netrpc_headers.hpp"
#include "wire/gob/skip.hpp"
#include "wire/gob/value_decoder.hpp"

#include <limits>
#include <memory>

namespace plugrpc::gob {

namespace {

TypeId as_type_id(std::int64_t id) {
    return id <= std::numeric_limits<TypeId>::max() ? static_cast<TypeId>(id) : -1;
}

} // namespace

// The further messages of a value that holds an interface, pulled from the
// buffer while the value is first scanned.
class ReplyDecoder::More final : public MessageSource {
public:
    More(const ReplyDecoder& d, std::size_t pos, std::size_t total, std::vector<Span>& spans)
        : d_(d), pos_(pos), total_(total), spans_(spans) {}

    std::string_view pull() override {
        Frame f;
        if (!d_.frame_at(pos_, f)) throw NeedMoreInput{};
        total_ += f.size;
        if (total_ > d_.max_) throw StreamError("gob: reply longer than the limit of " + std::to_string(d_.max_) + " bytes");
        spans_.emplace_back(f.payload, f.size);
        pos_ = f.end;
        return std::string_view(d_.buf_).substr(f.payload, f.size);
    }
    std::size_t end() const { return pos_; }

private:
    const ReplyDecoder& d_;
    std::size_t pos_, total_;
    std::vector<Span>& spans_;
};

ReplyDecoder::ReplyDecoder(std::size_t max_message_bytes) : max_(max_message_bytes) {}

void ReplyDecoder::feed(std::string_view bytes) {
    if (fatal_.empty()) buf_.append(bytes);
}

bool ReplyDecoder::frame_at(std::size_t pos, Frame& f) const {
    std::string_view rest = std::string_view(buf_).substr(pos);
    std::uint64_t len = 0;
    int used = peek_uint(rest, len);
    if (used < 0) throw StreamError("gob: invalid message length");
    if (used == 0) return false;
    if (len == 0) throw StreamError("gob: empty message");
    if (len > max_)
        throw StreamError("gob: reply message of " + std::to_string(len) + " bytes exceeds the limit of " +
                          std::to_string(max_) + " bytes");
    std::size_t begin = pos + static_cast<std::size_t>(used);
    if (buf_.size() - begin < len) return false;
    f = Frame{begin, static_cast<std::size_t>(len), begin + static_cast<std::size_t>(len)};
    return true;
}

ReplyDecoder::Step ReplyDecoder::fail(std::string why) {
    if (fatal_.empty()) fatal_ = std::move(why);
    buf_.clear();
    pos_ = 0;
    body_.clear();
    return Step::Fatal;
}

void ReplyDecoder::compact() {
    if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
    } else if (pos_ > buf_.size() / 2) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
}

std::vector<std::string_view> ReplyDecoder::views() const {
    std::vector<std::string_view> v;
    for (auto [off, size] : body_) v.push_back(std::string_view(buf_).substr(off, size));
    return v;
}

ReplyDecoder::Step ReplyDecoder::next() {
    if (!fatal_.empty()) return Step::Fatal;
    skip_body();
    compact();
    try {
        return read_item();
    } catch (const StreamError& e) {
        return fail(e.what());
    } catch (const Error& e) {
        return fail(e.what());
    }
}

ReplyDecoder::Step ReplyDecoder::read_item() {
    for (;;) {
        Frame f;
        if (!frame_at(pos_, f)) return Step::NeedMore;
        Reader r(std::string_view(buf_).substr(f.payload, f.size));
        std::int64_t id = r.read_int();
        if (id < 0) {
            WireType t = read_wire_type(r);
            if (!r.empty()) throw StreamError("gob: extra data in buffer");
            types_.define(gob::TypeTable::defined_id(id), std::move(t), f.size);
            pos_ = f.end;
            continue;
        }
        std::vector<Span> spans{{f.payload + (f.size - r.remaining()), r.remaining()}};
        More more(*this, f.end, f.size, spans);
        if (types_.may_hold_interface(as_type_id(id))) {
            // Only an interface value may continue in further messages:
            // find where it ends, recording the types it defines.
            body_ = spans;
            std::vector<std::string_view> msgs = views();
            ValueInput in(msgs, &more);
            Walk scan{types_, in, true};
            std::size_t mark = types_.mark();
            try {
                skip_top_value(scan, as_type_id(id), 0);
            } catch (const NeedMoreInput&) {
                types_.rollback(mark);
                body_.clear();
                return Step::NeedMore;
            } catch (const Error&) {
                // Corrupt: reading it for real reports why.
            }
        }
        pos_ = more.end();
        body_ = std::move(spans);
        body_id_ = id;
        if (in_body_) {
            in_body_ = false;
            body_ready_ = true;
            return Step::Body;
        }
        std::vector<std::string_view> msgs = views();
        body_.clear();
        ValueInput in(msgs);
        Walk replay{types_, in, false};
        boost::json::value header;
        try {
            header = decode_top_value(replay, as_type_id(id), response_header_schema());
        } catch (const Error& e) {
            throw StreamError(std::string("rpc: client cannot decode response: ") + e.what());
        }
        service_method_ = std::string(header.at("ServiceMethod").as_string());
        seq_ = header.at("Seq").as_uint64();
        error_ = std::string(header.at("Error").as_string());
        in_body_ = true;
        return Step::Header;
    }
}

ReplyDecoder::BodyResult ReplyDecoder::body_as(const Schema& reply) {
    BodyResult result;
    if (!body_ready_) {
        result.error = "gob: no reply body to decode";
        return result;
    }
    std::vector<std::string_view> msgs = views();
    ValueInput in(msgs);
    Walk replay{types_, in, false};
    try {
        result.value = decode_top_value(replay, as_type_id(body_id_), reply);
    } catch (const Error& e) {
        result.error = e.what();
    } catch (const StreamError& e) {
        result.error = e.what();
    }
    skip_body();
    return result;
}

void ReplyDecoder::skip_body() {
    body_ready_ = false;
    body_.clear();
}

} // namespace plugrpc::gob
