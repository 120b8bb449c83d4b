#include "codec/jsonrpc/framer.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace plugrpc::jsonrpc {
namespace {

// The bytes that matter outside a string.
constexpr auto kStructural = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : {'"', '{', '}', '[', ']'}) t[c] = true;
    return t;
}();

} // namespace

Framer::Status Framer::next(std::string_view buf, std::size_t& begin, std::size_t& end) {
    const char* p = buf.data();
    std::size_t n = buf.size();
    if (pos_ > n) reset(); // the caller dropped bytes we had scanned
    std::size_t i = pos_;
    if (!started_) {
        while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) ++i;
        if (i == n) {
            pos_ = i;
            return Status::NeedMore;
        }
        if (p[i] != '{' && p[i] != '[') return Status::Garbage;
        started_ = true;
        begin_ = i;
    }
    // The scan state lives in locals: stores to members through `this`
    // would have to be redone after every byte read (a char may alias).
    bool in_string = in_string_, escape = escape_;
    unsigned depth = depth_;
    Status status = Status::NeedMore;
    for (; i < n; ++i) {
        if (in_string) {
            if (escape) {
                escape = false;
                continue;
            }
            // Skip ordinary string bytes: to the next quote, or to a
            // backslash before it. A short run (most keys and values) is
            // scanned inline; a long one with memchr, the backslash searched
            // only up to the quote, so a buffer of many messages is scanned
            // once, not once per string.
            std::size_t stop = i, inline_end = std::min(n, i + 32);
            while (stop < inline_end && p[stop] != '"' && p[stop] != '\\') ++stop;
            if (stop == inline_end && stop < n) {
                const void* q = std::memchr(p + stop, '"', n - stop);
                std::size_t quote = q ? static_cast<std::size_t>(static_cast<const char*>(q) - p) : n;
                const void* b = std::memchr(p + stop, '\\', quote - stop);
                stop = b ? static_cast<std::size_t>(static_cast<const char*>(b) - p) : quote;
            }
            i = stop;
            if (i == n) break;
            if (p[i] == '\\') escape = true;
            else in_string = false;
            continue;
        }
        // Outside strings only quotes and brackets matter.
        char c = p[i];
        if (!kStructural[static_cast<unsigned char>(c)]) continue;
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth_) {
                status = Status::TooDeep;
                break;
            }
        } else if (--depth == 0) {
            begin = begin_;
            end = i + 1;
            if (end - begin_ > max_bytes_) return Status::TooLarge;
            reset();
            return Status::Complete;
        }
    }
    in_string_ = in_string;
    escape_ = escape;
    depth_ = depth;
    if (status != Status::NeedMore) return status;
    pos_ = i;
    if (pos_ - begin_ > max_bytes_) return Status::TooLarge;
    return Status::NeedMore;
}

} // namespace plugrpc::jsonrpc
