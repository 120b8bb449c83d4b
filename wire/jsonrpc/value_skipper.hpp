// Skipping a JSON value too large to keep, and reading its "id" on the way.
//
// A request over max_message_bytes cannot be parsed, but it should still be
// answered: a client that sent a call too big for the daemon deserves an
// error naming the limit for that call, and its connection, not a broken
// pipe. The skipper walks the rest of the value byte by byte as it arrives,
// holding none of it, matching brackets as the framer does, and keeps the
// text of the top-level member "id" (when it is short) so that the answer
// can carry it. Whatever comes after the value is the next request.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace plugrpc::jsonrpc {

class ValueSkipper {
public:
    // Ids longer than this are not kept (the answer then has id null).
    static constexpr std::size_t kMaxIdBytes = 256;

    explicit ValueSkipper(unsigned max_depth) : max_depth_(max_depth) {}

    enum class Status {
        NeedMore,   // all of `bytes` belonged to the value
        Done,       // the value ended; `used` bytes of `bytes` were its last
        Mismatched, // a '}' closing a '[' or a ']' closing a '{'
        TooDeep,    // nested deeper than max_depth
        Garbage     // the value does not start with '{' or '['
    };

    // Feed the next bytes, from the value's first byte on. `used` is how many
    // of them were part of the value (all of them unless Done).
    Status feed(std::string_view bytes, std::size_t& used);

    // The top-level id member's value as written, with no whitespace around
    // it (the last such member, as a parse keeps it); empty when there was
    // none or it was too long. JSON-RPC 2.0: the member "id", a string,
    // number or null. `go_dialect`: as Go's server reads its request, the
    // member "id" in any case ("ID", "Id"), of any kind.
    std::string_view id(bool go_dialect = false) const {
        const Kept& k = go_dialect ? go_id_ : exact_id_;
        return k.ok ? std::string_view(k.text) : std::string_view();
    }

    // Bytes of the value seen so far.
    std::size_t size() const { return size_; }

private:
    enum class Member { None, Key, Colon, Value }; // where a top-level member is
    void end_id();

    unsigned max_depth_;
    std::vector<char> open_;   // the bracket that opened each level
    std::size_t size_ = 0;
    bool in_string_ = false, escape_ = false;
    Member member_ = Member::None;
    std::string key_;           // the top-level key being read (first bytes)
    bool key_exact_id_ = false; // the member being read is "id"
    bool key_go_id_ = false;    // ... or "ID", "Id", "iD"
    bool capturing_ = false;    // its value is being kept
    std::string id_;            // the value being kept
    struct Kept {
        std::string text;
        bool ok = false;
    };
    Kept exact_id_, go_id_;
};

} // namespace plugrpc::jsonrpc
