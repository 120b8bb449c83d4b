// The calls an isolated plugin's child holds, by the id its channel
// carries for each (channel.hpp: a Call frame's id, echoed by its Reply).
//
// An id is a slot's index and the slot's use count: adding and taking a
// call costs no allocation once the table has grown to the calls in
// flight, and an id the child made up, or kept from an earlier call in the
// same slot, names nothing (take() says so) — the child is not trusted.
// Not locked: its owner holds its own lock around it.
#pragma once

#include <plugrpc/abi.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace plugrpc::isolate {

class PendingCalls {
public:
    using Clock = std::chrono::steady_clock;
    struct Entry {
        plrpc_call* handle = nullptr;
        std::uint32_t method = 0;              // index in the child's Hello
        Clock::time_point hard_deadline{};     // max(): none
    };

    // The id the child is to answer `e` with.
    std::uint64_t add(const Entry& e);
    // The call `id` names, which is no longer held; false when it names
    // none (answered or failed already, or never given out).
    bool take(std::uint64_t id, Entry& out);
    // Whether `id` names a call held now.
    bool holds(std::uint64_t id) const;
    // Every call held, which are no longer held.
    std::vector<Entry> take_all();
    // The first call held whose hard deadline is at or before `now`.
    const Entry* first_past(Clock::time_point now) const;
    std::size_t size() const { return held_; }

private:
    struct Slot {
        Entry entry;
        std::uint32_t uses = 0; // odd while held
    };
    std::vector<Slot> slots_;
    std::vector<std::uint32_t> free_; // indexes of slots not held
    std::size_t held_ = 0;
};

} // namespace plugrpc::isolate
