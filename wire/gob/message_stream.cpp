#include "wire/gob/message_stream.hpp"

#include "wire/gob/input.hpp"
#include "wire/gob/skip.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace plugrpc::gob {

TypeId as_type_id(std::int64_t id) {
    return id <= std::numeric_limits<TypeId>::max() ? static_cast<TypeId>(id) : -1;
}

// Further messages of a value being scanned, straight from the buffer.
class MessageStream::More final : public MessageSource {
public:
    More(MessageStream& s, std::size_t pos, std::size_t total) : s_(s), pos_(pos), total_(total) {}

    std::string_view pull() override {
        Frame f;
        if (!s_.frame_at(pos_, f)) throw NeedMoreInput{};
        total_ += f.size;
        if (total_ > s_.max_)
            throw StreamError(std::string("gob: ") + s_.nouns_.value + " longer than the limit of " +
                              std::to_string(s_.max_) + " bytes");
        s_.spans_.emplace_back(f.payload, f.size);
        pos_ = f.end;
        return std::string_view(s_.buf_).substr(f.payload, f.size);
    }
    std::size_t end() const { return pos_; }

private:
    MessageStream& s_;
    std::size_t pos_, total_;
};

void MessageStream::feed(std::string_view bytes) {
    if (skip_ > 0) {
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, bytes.size()));
        bytes.remove_prefix(n);
        skip_ -= n;
    }
    buf_.append(bytes);
}

std::string MessageStream::oversized_error() const {
    return std::string("gob: ") + nouns_.body + " of " + std::to_string(oversized_) + " bytes exceeds the " +
           nouns_.owner + "'s limit of " + std::to_string(max_) + " bytes";
}

bool MessageStream::drop_oversized(int used, std::uint64_t len) {
    waiting_id_ = false;
    if (!skip_oversized_ || !nouns_.drop_bodies || skip_ > 0 || dropped_ > 0) return false;
    std::size_t begin = pos_ + static_cast<std::size_t>(used);
    std::string_view payload = std::string_view(buf_).substr(begin);
    std::uint64_t raw = 0;
    int id_bytes = peek_uint(payload, raw); // a signed int is an unsigned one on the wire
    if (id_bytes < 0) return false;
    if (id_bytes == 0) return waiting_id_ = true; // its type id has not arrived yet
    Reader r(payload.substr(0, static_cast<std::size_t>(id_bytes)));
    std::int64_t id = r.read_int();
    if (id < 0 || types_.may_hold_interface(as_type_id(id))) return false;
    std::size_t here = static_cast<std::size_t>(std::min<std::uint64_t>(len, payload.size()));
    buf_.erase(pos_, static_cast<std::size_t>(used) + here);
    skip_ = len - here;
    dropped_ = len;
    need_ = 0;
    return true;
}

void MessageStream::check_next_length() {
    waiting_id_ = false;
    if (skip_ > 0 || dropped_ > 0) return;
    std::uint64_t len = 0;
    int used = peek_uint(std::string_view(buf_).substr(pos_), len);
    if (used > 0 && len > max_ && drop_oversized(used, len)) return;
    if (used < 0 || (used > 0 && len > max_)) {
        Frame ignored;
        frame_at(pos_, ignored); // throws the reason
    }
}

bool MessageStream::frame_at(std::size_t pos, Frame& f) {
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
        throw StreamError(std::string("gob: ") + nouns_.message + " of " + std::to_string(len) +
                          " bytes exceeds the limit of " + std::to_string(max_) + " bytes");
    std::size_t begin = pos + static_cast<std::size_t>(used);
    if (buf_.size() - begin < len) {
        need_ = begin + static_cast<std::size_t>(len);
        return false;
    }
    f = Frame{begin, static_cast<std::size_t>(len), begin + static_cast<std::size_t>(len)};
    return true;
}

void MessageStream::compact() {
    if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
    } else if (pos_ > buf_.size() / 2) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    need_ = 0;
}

void MessageStream::clear() {
    buf_.clear();
    buf_.shrink_to_fit();
    pos_ = need_ = 0;
    skip_ = dropped_ = oversized_ = 0;
    spans_.clear();
}

std::vector<std::string_view>& MessageStream::views(const std::vector<Span>& spans) {
    views_.clear();
    for (auto [off, size] : spans) views_.push_back(std::string_view(buf_).substr(off, size));
    return views_;
}

bool MessageStream::next_value() {
    oversized_ = 0;
    if (skip_ > 0) return false;
    if (dropped_ > 0) { // a value dropped whole: reported in its place
        oversized_ = std::exchange(dropped_, 0);
        types_pending_ = false;
        id_ = -1;
        spans_.clear();
        return true;
    }
    if (buf_.size() < need_) return false;
    compact(); // the spans of the value before are done with
    for (;;) {
        check_next_length(); // an over-long value may be dropped rather than fail
        if (waiting_id_) return false;
        if (skip_ > 0 || dropped_ > 0) return next_value();
        Frame f;
        if (!frame_at(pos_, f)) return false;
        Reader r(std::string_view(buf_).substr(f.payload, f.size));
        std::int64_t id = r.read_int();
        if (id < 0) {
            WireType t = read_wire_type(r);
            if (!r.empty()) throw StreamError("gob: extra data in buffer");
            types_.define(TypeTable::defined_id(id), t, f.size);
            types_pending_ = true;
            pos_ = f.end;
            continue;
        }
        spans_.assign(1, Span{f.payload + (f.size - r.remaining()), r.remaining()});
        More more(*this, f.end, f.size);
        // Only an interface value may continue in further messages: find
        // where it ends, recording the types it defines on the way.
        if (types_.may_hold_interface(as_type_id(id))) {
            ValueInput in(views(spans_), &more);
            Walk scan{types_, in, true};
            TypeTable::Mark mark = types_.mark();
            try {
                skip_top_value(scan, as_type_id(id), 0);
            } catch (const NeedMoreInput&) {
                types_.rollback(mark);
                return false;
            } catch (const Error&) {
                // The value is corrupt; it ends here. Reading it for real
                // reports why (after Go's type checks, in Go's order).
            }
        }
        pos_ = more.end();
        types_pending_ = false;
        id_ = id;
        return true;
    }
}

} // namespace plugrpc::gob
