// Finding where one JSON value ends in a byte stream.
//
// JSON-RPC over TCP is a stream of concatenated values ("{..}{..}" or one per
// line). The framer scans bytes as they arrive, keeping its state between
// calls so no byte is scanned twice, and bounds both the size and the
// nesting of a value before anything is parsed or allocated.
//
// Brackets are matched, not only counted: in `{"a":[1}` the '}' does not
// close the object, and a framer that counted depth alone would wait for
// a close that never comes, taking every later request into the value.
// Such a value is Mismatched as soon as the wrong bracket arrives.
//
// A UTF-8 byte order mark (EF BB BF) where a value may start is skipped as
// whitespace is: RFC 8259 forbids sending one but lets a parser ignore it,
// and files saved by some editors begin with one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace plugrpc::jsonrpc {

class Framer {
public:
    Framer(std::size_t max_bytes, unsigned max_depth)
        : max_bytes_(max_bytes), max_depth_(max_depth), brackets_(max_depth / 64 + 1) {}

    enum class Status {
        Complete,  // a value spans [begin, end)
        NeedMore,  // only whitespace or an unfinished value so far
        TooLarge,  // longer than max_bytes
        TooDeep,   // nested deeper than max_depth
        Garbage,   // a value must start with '{' or '['
        Mismatched // a '}' closing a '[', or a ']' closing a '{'
    };

    // Scan `buf` (the unconsumed bytes; the same prefix as last time, maybe
    // longer). On Complete, the caller consumes up to `end` and the framer
    // starts afresh for the next value.
    Status next(std::string_view buf, std::size_t& begin, std::size_t& end);

    // Forget any partial value (after the caller dropped its bytes).
    void reset() {
        pos_ = begin_ = 0;
        depth_ = 0;
        started_ = in_string_ = escape_ = false;
    }
    // Where the value under way begins in the buffer (after TooLarge: the
    // bytes to hand a ValueSkipper from).
    std::size_t value_begin() const { return begin_; }
    // A value has begun and not yet ended (whitespace alone does not count).
    bool mid_value() const { return started_; }

    // Only what may stand between values: JSON whitespace and byte order marks.
    static bool blank(std::string_view bytes);

private:
    std::size_t max_bytes_;
    unsigned max_depth_;
    // Which bracket opened each level: bit d (1-based) set for '[' at
    // depth d. Sized once for max_depth; a level's bit is written when it
    // opens, so reset() need not clear it.
    std::vector<std::uint64_t> brackets_;
    std::size_t pos_ = 0;   // next byte to scan
    std::size_t begin_ = 0; // first byte of the value
    unsigned depth_ = 0;
    bool started_ = false;
    bool in_string_ = false;
    bool escape_ = false;
};

} // namespace plugrpc::jsonrpc
