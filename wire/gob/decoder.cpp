#include "wire/gob/decoder.hpp"

#include "wire/gob/input.hpp"
#include "wire/gob/netrpc_headers.hpp"
#include "wire/gob/skip.hpp"
#include "wire/gob/value_decoder.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <limits>
#include <memory>

namespace plugrpc::gob {

namespace {

TypeId as_type_id(std::int64_t id) {
    // Out of range: an id no table holds, reported as unknown when used.
    return id <= std::numeric_limits<TypeId>::max() ? static_cast<TypeId>(id) : -1;
}

} // namespace

// Further messages of a value that is being scanned, straight from the
// stream buffer.
class StreamMessages final : public MessageSource {
public:
    StreamMessages(RequestDecoder& d, std::size_t pos, std::size_t total, std::vector<RequestDecoder::Span>& spans)
        : d_(d), pos_(pos), total_(total), spans_(spans) {}

    std::string_view pull() override {
        RequestDecoder::Frame f;
        if (!d_.frame_at(pos_, f)) throw NeedMoreInput{};
        total_ += f.size;
        if (total_ > d_.max_)
            throw StreamError("gob: value longer than the limit of " + std::to_string(d_.max_) + " bytes");
        spans_.emplace_back(f.payload, f.size);
        pos_ = f.end;
        return std::string_view(d_.buf_).substr(f.payload, f.size);
    }

    std::size_t end() const { return pos_; }

private:
    RequestDecoder& d_;
    std::size_t pos_;
    std::size_t total_;
    std::vector<RequestDecoder::Span>& spans_;
};

RequestDecoder::RequestDecoder(std::size_t max_message_bytes) : max_(max_message_bytes) {}

void RequestDecoder::feed(std::string_view bytes) {
    if (!fatal_.empty()) return;
    buf_.append(bytes);
    check_next_length();
}

// Refuses an oversized message as soon as its length is known, before its
// bytes pile up.
void RequestDecoder::check_next_length() {
    if (phase_ == Phase::BodyReady) return; // pos_ is already past the body
    std::uint64_t len = 0;
    int used = peek_uint(std::string_view(buf_).substr(pos_), len);
    if (used < 0 || (used > 0 && len > max_)) {
        Frame ignored;
        try {
            frame_at(pos_, ignored);
        } catch (const StreamError& e) {
            fail(e.what());
        }
    }
}

bool RequestDecoder::frame_at(std::size_t pos, Frame& f) {
    std::string_view rest = std::string_view(buf_).substr(pos);
    std::uint64_t len = 0;
    int used = peek_uint(rest, len);
    if (used < 0) throw StreamError("gob: invalid message length");
    if (used == 0) {
        need_ = pos + (rest.empty() ? 1 : 1 + static_cast<std::size_t>(-static_cast<signed char>(rest[0])));
        return false;
    }
    if (len == 0) throw StreamError("gob: empty message");
    if (len > max_)
        throw StreamError("gob: message of " + std::to_string(len) + " bytes exceeds the limit of " +
                          std::to_string(max_) + " bytes");
    std::size_t begin = pos + static_cast<std::size_t>(used);
    if (buf_.size() - begin < len) {
        need_ = begin + static_cast<std::size_t>(len);
        return false;
    }
    f = Frame{begin, static_cast<std::size_t>(len), begin + static_cast<std::size_t>(len)};
    return true;
}

RequestDecoder::Step RequestDecoder::fail(std::string why) {
    if (fatal_.empty()) fatal_ = std::move(why);
    buf_.clear();
    buf_.shrink_to_fit();
    pos_ = 0;
    body_.clear();
    return Step::Fatal;
}

void RequestDecoder::compact() {
    if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
    } else if (pos_ > buf_.size() / 2) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
}

// Into a vector kept for the purpose: no allocation per item once it has grown.
std::vector<std::string_view>& RequestDecoder::views(const std::vector<Span>& spans) {
    views_.clear();
    for (auto [off, size] : spans) views_.push_back(std::string_view(buf_).substr(off, size));
    return views_;
}

RequestDecoder::Step RequestDecoder::next() {
    if (!fatal_.empty()) return Step::Fatal;
    if (phase_ == Phase::BodyReady) skip_body();
    if (!fatal_.empty()) return Step::Fatal;
    if (buf_.size() < need_) return Step::NeedMore;
    need_ = 0;
    compact();
    try {
        return read_item();
    } catch (const StreamError& e) {
        return fail(e.what());
    } catch (const Error& e) {
        return fail(e.what());
    }
}

RequestDecoder::Step RequestDecoder::read_item() {
    for (;;) {
        Frame f;
        if (!frame_at(pos_, f)) return Step::NeedMore;
        Reader r(std::string_view(buf_).substr(f.payload, f.size));
        std::int64_t id = r.read_int();
        if (id < 0) {
            WireType t = read_wire_type(r);
            if (!r.empty()) throw StreamError("gob: extra data in buffer");
            types_.define(TypeTable::defined_id(id), std::move(t), f.size);
            pos_ = f.end;
            continue;
        }

        // A value: find where it ends (an interface value may continue in
        // further messages), recording type definitions it carries.
        std::size_t first = f.payload + (f.size - r.remaining());
        std::vector<Span>& spans = item_spans_;
        spans.assign(1, Span{first, r.remaining()});
        StreamMessages more(*this, f.end, f.size, spans);
        // Only an interface value can continue in another message: values
        // whose types hold none are one message and need no walk here.
        if (types_.may_hold_interface(as_type_id(id))) {
            std::vector<std::string_view>& msgs = views(spans);
            ValueInput in(msgs, &more);
            Walk scan{types_, in, true};
            std::size_t mark = types_.mark();
            try {
                skip_top_value(scan, as_type_id(id), 0);
            } catch (const NeedMoreInput&) {
                types_.rollback(mark);
                return Step::NeedMore;
            } catch (const Error&) {
                // The value is corrupt; it ends here. Reading it for real
                // reports the error (after Go's type checks, in Go's order).
            }
        }
        pos_ = more.end();

        if (phase_ == Phase::Body) {
            body_.assign(spans.begin(), spans.end());
            body_id_ = id;
            phase_ = Phase::BodyReady;
            return Step::Body;
        }

        // The usual header is read without building a value.
        std::string_view method;
        if (spans.size() == 1 &&
            read_plain_request_header(types_, as_type_id(id),
                                      std::string_view(buf_).substr(spans[0].first, spans[0].second), method, seq_)) {
            service_method_.assign(method);
            phase_ = Phase::Body;
            check_next_length();
            return Step::Header;
        }
        std::vector<std::string_view>& msgs = views(spans);
        ValueInput in(msgs);
        Walk replay{types_, in, false};
        // The header is read into stack memory: only two fields are kept.
        unsigned char block[512];
        boost::json::monotonic_resource arena(block, sizeof block);
        try {
            // Initialised, not assigned: a value assigned across storages is copied.
            boost::json::value header =
                decode_top_value(replay, as_type_id(id), request_header_schema(), plans_, &arena);
            service_method_ = std::string(header.at("ServiceMethod").as_string());
            seq_ = header.at("Seq").as_uint64();
        } catch (const Error& e) {
            throw StreamError(std::string("rpc: server cannot decode request: ") + e.what());
        }
        phase_ = Phase::Body;
        check_next_length();
        return Step::Header;
    }
}

RequestDecoder::BodyResult RequestDecoder::body_as(const Schema& args) {
    BodyResult result;
    result.error = read_body([&](Walk& replay) { result.value = decode_top_value(replay, as_type_id(body_id_), args); });
    return result;
}

std::string RequestDecoder::body_into(const SchemaPtr& args, boost::json::value& out) {
    plans_.keep(args);
    return read_body([&](Walk& replay) {
        out = decode_top_value(replay, as_type_id(body_id_), *args, plans_, out.storage());
    });
}

template <class Decode>
std::string RequestDecoder::read_body(Decode&& decode) {
    if (phase_ != Phase::BodyReady) return "gob: no request body to decode";
    std::string error;
    std::vector<std::string_view>& msgs = views(body_);
    ValueInput in(msgs);
    Walk replay{types_, in, false};
    try {
        decode(replay);
    } catch (const Error& e) {
        error = e.what();
    } catch (const StreamError& e) {
        error = e.what();
    }
    skip_body();
    return error;
}

void RequestDecoder::skip_body() {
    if (phase_ != Phase::BodyReady) return;
    body_.clear();
    phase_ = Phase::Header;
    check_next_length();
}

} // namespace plugrpc::gob
