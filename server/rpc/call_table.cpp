#include "server/rpc/call_table.hpp"

#include "server/rpc/call.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace plugrpc::call_table {
namespace {

constexpr unsigned kIndexBits = 24;
constexpr std::uint32_t kMaxSlots = 1u << kIndexBits;
constexpr unsigned kChunkBits = 12;
constexpr std::uint32_t kChunkSlots = 1u << kChunkBits;
constexpr std::uint32_t kChunks = kMaxSlots / kChunkSlots;

// A slot's word: generation (high 32 bits) | kOpen | references.
constexpr std::uint64_t kOpen = 1ull << 31;
constexpr std::uint64_t kRefs = kOpen - 1;

} // namespace

struct Slot {
    std::atomic<std::uint64_t> word{0};
    Call* call = nullptr; // written by open() before the word that publishes it
};

namespace {

struct Table {
    std::atomic<Slot*> chunks[kChunks]{};
    std::mutex mu;                    // guards the rest
    std::vector<std::uint32_t> free;  // slots handed back by threads
    std::uint32_t used = 0;           // slots handed out at least once
};

// Never destroyed: plugins may hand handles back at any time, even while
// the process exits.
Table& table() {
    static Table* t = new Table;
    return *t;
}

Slot* slot_at(std::uint32_t index) {
    Slot* chunk = table().chunks[index >> kChunkBits].load(std::memory_order_acquire);
    return chunk ? &chunk[index & (kChunkSlots - 1)] : nullptr;
}

Slot& slot_of(const Call* call) { return *call->slot_ref; }

plrpc_call* to_handle(std::uint64_t generation, std::uint32_t index) {
    return reinterpret_cast<plrpc_call*>(static_cast<std::uintptr_t>(generation << kIndexBits | index));
}

static_assert(sizeof(std::uintptr_t) >= 8, "handles need 56 bits");

// Free slots each thread keeps, to take and give back without a lock.
// Trivial, so reaching it costs no TLS wrapper call; what it holds is
// handed back when the thread exits by a Flusher, made on first use.
struct Cache {
    static constexpr unsigned kSize = 64;
    static constexpr unsigned kBatch = 32;
    std::uint32_t index[kSize];
    unsigned n;
    bool flush_armed;
};
constinit thread_local Cache t_cache{};

struct Flusher {
    ~Flusher() {
        Cache& c = t_cache;
        if (c.n == 0) return;
        std::lock_guard lock(table().mu);
        table().free.insert(table().free.end(), c.index, c.index + c.n);
        c.n = 0;
    }
};

[[gnu::noinline]] void arm_flush(Cache& c) {
    thread_local Flusher flusher;
    (void)flusher;
    c.flush_armed = true;
}

bool refill(Cache& c) {
    if (!c.flush_armed) arm_flush(c);
    Table& t = table();
    std::lock_guard lock(t.mu);
    while (c.n < Cache::kBatch && !t.free.empty()) {
        c.index[c.n++] = t.free.back();
        t.free.pop_back();
    }
    while (c.n < Cache::kBatch && t.used < kMaxSlots) {
        std::uint32_t chunk = t.used >> kChunkBits;
        if (!t.chunks[chunk].load(std::memory_order_relaxed))
            t.chunks[chunk].store(new Slot[kChunkSlots], std::memory_order_release);
        c.index[c.n++] = t.used++;
    }
    return c.n > 0;
}

void give_back(std::uint32_t index) {
    Cache& c = t_cache;
    if (!c.flush_armed) arm_flush(c); // a plugin's thread may drop the last reference
    if (c.n == Cache::kSize) {
        Table& t = table();
        std::lock_guard lock(t.mu);
        t.free.insert(t.free.end(), c.index + Cache::kBatch, c.index + Cache::kSize);
        c.n = Cache::kBatch;
    }
    c.index[c.n++] = index;
}

} // namespace

bool open(Call* call) {
    Cache& c = t_cache;
    if (c.n == 0 && !refill(c)) return false;
    std::uint32_t index = c.index[--c.n];
    Slot& s = *slot_at(index);
    std::uint64_t generation = ((s.word.load(std::memory_order_relaxed) >> 32) + 1) & 0xffffffffu;
    if (generation == 0) generation = 1; // a handle is never null
    s.call = call;
    call->slot = index;
    call->slot_ref = &s;
    call->handle = to_handle(generation, index);
    s.word.store(generation << 32 | kOpen | 1, std::memory_order_release);
    return true;
}

Call* acquire(plrpc_call* handle) {
    auto h = reinterpret_cast<std::uintptr_t>(handle);
    std::uint64_t generation = std::uint64_t(h) >> kIndexBits;
    if (generation == 0 || generation > 0xffffffffu) return nullptr;
    Slot* s = slot_at(static_cast<std::uint32_t>(h & (kMaxSlots - 1)));
    if (!s) return nullptr;
    std::uint64_t w = s->word.load(std::memory_order_acquire);
    for (;;) {
        if ((w >> 32) != generation || !(w & kOpen)) return nullptr;
        if (s->word.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_acquire))
            return s->call;
    }
}

bool is_open(plrpc_call* handle) {
    auto h = reinterpret_cast<std::uintptr_t>(handle);
    std::uint64_t generation = std::uint64_t(h) >> kIndexBits;
    if (generation == 0 || generation > 0xffffffffu) return false;
    Slot* s = slot_at(static_cast<std::uint32_t>(h & (kMaxSlots - 1)));
    if (!s) return false;
    std::uint64_t w = s->word.load(std::memory_order_acquire);
    return (w >> 32) == generation && (w & kOpen);
}

bool is_open(const Call* call) { return slot_of(call).word.load(std::memory_order_acquire) & kOpen; }

bool end(Call* call) {
    Slot& s = slot_of(call);
    std::uint64_t w = s.word.load(std::memory_order_acquire);
    for (;;) {
        if (!(w & kOpen)) return false;
        if (s.word.compare_exchange_weak(w, w & ~kOpen, std::memory_order_acq_rel, std::memory_order_acquire))
            return true;
    }
}

void release(Call* call) {
    Slot& s = slot_of(call);
    std::uint64_t w = s.word.fetch_sub(1, std::memory_order_acq_rel);
    if ((w & kRefs) != 1 || (w & kOpen)) return;
    std::uint32_t index = call->slot;
    s.call = nullptr;
    delete call;
    give_back(index);
}

void for_each_open(const std::function<void(plrpc_call*)>& fn) {
    std::uint32_t used;
    {
        std::lock_guard lock(table().mu);
        used = table().used;
    }
    for (std::uint32_t i = 0; i < used; ++i) {
        std::uint64_t w = slot_at(i)->word.load(std::memory_order_acquire);
        if (w & kOpen) fn(to_handle(w >> 32, i));
    }
}

} // namespace plugrpc::call_table
