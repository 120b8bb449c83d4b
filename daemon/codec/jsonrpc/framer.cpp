#include "codec/jsonrpc/framer.hpp"

#include <algorithm>
#include <cstring>

namespace plugrpc::jsonrpc {

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
    for (; i < n; ++i) {
        char c = p[i];
        if (in_string_) {
            if (escape_) escape_ = false;
            else if (c == '\\') escape_ = true;
            else if (c == '"') in_string_ = false;
            else {
                // Skip ahead over ordinary string bytes: to the next quote,
                // or to a backslash before it. A short run (most keys and
                // values) is scanned inline; a long one with memchr, the
                // backslash searched only up to the quote, so a buffer of
                // many messages is scanned once, not once per string.
                std::size_t stop = i, inline_end = std::min(n, i + 32);
                while (stop < inline_end && p[stop] != '"' && p[stop] != '\\') ++stop;
                if (stop == inline_end && stop < n) {
                    const void* q = std::memchr(p + stop, '"', n - stop);
                    std::size_t quote = q ? static_cast<std::size_t>(static_cast<const char*>(q) - p) : n;
                    const void* b = std::memchr(p + stop, '\\', quote - stop);
                    stop = b ? static_cast<std::size_t>(static_cast<const char*>(b) - p) : quote;
                }
                i = stop - 1;
            }
            continue;
        }
        switch (c) {
        case '"': in_string_ = true; break;
        case '{':
        case '[':
            if (++depth_ > max_depth_) return Status::TooDeep;
            break;
        case '}':
        case ']':
            if (--depth_ == 0) {
                begin = begin_;
                end = i + 1;
                if (end - begin_ > max_bytes_) return Status::TooLarge;
                *this = Framer(max_bytes_, max_depth_);
                return Status::Complete;
            }
            break;
        default: break;
        }
    }
    pos_ = i;
    if (pos_ - begin_ > max_bytes_) return Status::TooLarge;
    return Status::NeedMore;
}

} // namespace plugrpc::jsonrpc
