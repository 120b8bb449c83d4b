// The types the server side of one connection describes to its peer (Go's
// Encoder.sent), numbered as a fresh Go process numbers them: from 65,
// structs before their fields,
// slices, arrays and maps after their elements. Definitions go out once per
// connection, before first use, the top-level type first and then
// depth-first, as Go's encoder sends them.
//
// Type identity is structural: two schemas of the same shape (struct name,
// field names, element types, integer widths) are one Go type.
#pragma once

#include "wire/gob/types.hpp"
#include "wire/schema.hpp"

#include <deque>
#include <string>
#include <unordered_map>

namespace plugrpc::gob {

class SentTypes {
public:
    // The wire id of `s` (1..6 for basic kinds); gives new composite types
    // their ids. `name` is the name Go would give the type where it is
    // first met: the struct name, "" for a top-level slice or map.
    TypeId id_for(const Schema& s, const std::string& name);

    // Appends the definition messages `s` needs that were not sent yet.
    // id_for(s) must have been called.
    void send(std::string& out, const Schema& s);

    // Forgets the memo of schema shapes kept during one reply (schemas may
    // be freed between replies, and their addresses reused).
    void end_call() { keys_.clear(); }

private:
    struct Entry {
        TypeId id = 0;
        WireType def;
        bool sent = false;
    };
    const std::string& key(const Schema& s);
    Entry* find(const Schema& s);

    std::deque<Entry> entries_;
    std::unordered_map<std::string, std::size_t> by_key_;
    std::unordered_map<const Schema*, std::string> keys_;
    TypeId next_id_ = 65;
};

// Appends one message: its byte count, then `payload`.
void append_message(std::string& out, std::string_view payload);

} // namespace plugrpc::gob
