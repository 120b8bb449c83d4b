#include "server/isolate/pending_calls.hpp"

namespace plugrpc::isolate {

std::uint64_t PendingCalls::add(const Entry& e) {
    std::uint32_t index;
    if (!free_.empty()) {
        index = free_.back();
        free_.pop_back();
    } else {
        index = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    Slot& s = slots_[index];
    s.entry = e;
    ++s.uses; // odd: held
    ++held_;
    return (std::uint64_t{s.uses} << 32) | index;
}

bool PendingCalls::holds(std::uint64_t id) const {
    auto index = static_cast<std::uint32_t>(id);
    auto uses = static_cast<std::uint32_t>(id >> 32);
    return index < slots_.size() && slots_[index].uses == uses && (uses & 1) != 0;
}

bool PendingCalls::take(std::uint64_t id, Entry& out) {
    if (!holds(id)) return false;
    auto index = static_cast<std::uint32_t>(id);
    Slot& s = slots_[index];
    out = s.entry;
    ++s.uses; // even: free
    free_.push_back(index);
    --held_;
    return true;
}

std::vector<PendingCalls::Entry> PendingCalls::take_all() {
    std::vector<Entry> all;
    all.reserve(held_);
    for (std::uint32_t i = 0; i < slots_.size(); ++i) {
        Slot& s = slots_[i];
        if ((s.uses & 1) == 0) continue;
        all.push_back(s.entry);
        ++s.uses;
        free_.push_back(i);
    }
    held_ = 0;
    return all;
}

const PendingCalls::Entry* PendingCalls::first_past(Clock::time_point now) const {
    if (held_ == 0) return nullptr;
    for (const Slot& s : slots_)
        if ((s.uses & 1) != 0 && s.entry.hard_deadline <= now) return &s.entry;
    return nullptr;
}

} // namespace plugrpc::isolate
