// Gob type descriptions: the wireType a peer sends once per type
// (`-id` then the description), and the per-connection table of them.
//
// Ids 1..8 are the basic types, 16..24 the structs gob uses to describe
// types (they are predefined and may be sent as values too); peers number
// their own types from 64 up.
#pragma once

#include "wire/gob/wire.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace plugrpc::gob {

using TypeId = std::int32_t;

inline constexpr TypeId kBool = 1, kInt = 2, kUint = 3, kFloat = 4, kBytes = 5, kString = 6, kComplex = 7,
                        kInterface = 8;
inline constexpr TypeId kFirstUserId = 64;

// wireType's field order: the kind is the number of the field that is set.
enum class WireKind : std::uint8_t { Array, Slice, Struct, Map, GobEncoder, BinaryMarshaler, TextMarshaler };

struct WireField {
    std::string name;
    TypeId id = 0;
};

struct WireType {
    WireKind kind = WireKind::Struct;
    std::string name;  // CommonType.Name, may be empty
    TypeId id = 0;     // CommonType.Id as sent (informational)
    TypeId elem = 0;   // Array, Slice, Map
    TypeId key = 0;    // Map
    std::int64_t len = 0;           // Array
    std::vector<WireField> fields;  // Struct, in wire order
};

// Decodes a wireType value; throws Error on malformed descriptions.
WireType read_wire_type(Reader& r);
// Encodes a wireType value the way Go's encoder does (zero fields left out).
void write_wire_type(std::string& out, const WireType& t);

// A struct field as the type table keeps it: a view into the table.
struct FieldRef {
    std::string_view name;
    TypeId id = 0;
};

// What a definition costs the table, per field: the field type's id and
// where its name ends among the type's names.
struct PackedField {
    std::uint32_t name_end = 0;
    TypeId id = 0;
};

// The fields of a stored struct type, read in place. Valid while the table
// holds the type.
class FieldList {
public:
    FieldList() = default;
    // `names`: the type's names; the first field's starts at `first`.
    FieldList(const PackedField* fields, const char* names, std::uint32_t count, std::uint32_t first)
        : fields_(fields), names_(names), count_(count), first_(first) {}

    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    FieldRef operator[](std::size_t i) const {
        std::uint32_t begin = i == 0 ? first_ : fields_[i - 1].name_end;
        return {std::string_view(names_ + begin, fields_[i].name_end - begin), fields_[i].id};
    }

    class iterator {
    public:
        iterator(const FieldList* list, std::size_t i) : list_(list), i_(i) {}
        FieldRef operator*() const { return (*list_)[i_]; }
        iterator& operator++() { return ++i_, *this; }
        bool operator!=(const iterator& o) const { return i_ != o.i_; }

    private:
        const FieldList* list_;
        std::size_t i_;
    };
    iterator begin() const { return {this, 0}; }
    iterator end() const { return {this, count_}; }

private:
    const PackedField* fields_ = nullptr;
    const char* names_ = nullptr;
    std::uint32_t count_ = 0;
    std::uint32_t first_ = 0;
};

// A type as the table keeps it: these 12 bytes in the table's arena, then
// what its kind needs, in 4-byte words (Array: elem, len; Slice: elem; Map:
// key, elem; Struct: the field count and a PackedField each), then its name
// and its fields' names back to back. Valid while the table holds the type.
struct TypeRef {
    TypeId id = 0;
    WireKind kind : 8;
    std::uint32_t wire_bytes : 24; // what its definition took on the wire
    std::uint32_t name_size : 24;
    std::uint32_t flags : 8;       // the table's answers about the type (TypeTable)

    TypeRef() : kind(WireKind::Struct), wire_bytes(0), name_size(0), flags(0) {}

    TypeId elem() const { return kind == WireKind::Map ? TypeId(word(1)) : kind <= WireKind::Slice ? TypeId(word(0)) : 0; }
    TypeId key() const { return kind == WireKind::Map ? TypeId(word(0)) : 0; }
    std::int64_t len() const {
        return kind == WireKind::Array ? std::int64_t(std::uint64_t(word(1)) | std::uint64_t(word(2)) << 32) : 0;
    }
    std::string_view name() const { return {names(), name_size}; }
    FieldList fields() const {
        if (kind != WireKind::Struct) return {};
        return {packed(), names(), word(0), name_size};
    }
    // The words its kind needs after the 12 bytes.
    static std::size_t words(WireKind kind) {
        static constexpr std::size_t kWords[] = {3, 1, 1, 2, 0, 0, 0};
        return kWords[static_cast<int>(kind)];
    }
    // The bytes it takes in the arena, names included.
    std::size_t size() const;

private:
    std::uint32_t word(std::size_t i) const { return reinterpret_cast<const std::uint32_t*>(this + 1)[i]; }
    const PackedField* packed() const {
        return reinterpret_cast<const PackedField*>(reinterpret_cast<const std::uint32_t*>(this + 1) + 1);
    }
    const char* names() const {
        const char* after = reinterpret_cast<const char*>(reinterpret_cast<const std::uint32_t*>(this + 1) + words(kind));
        return kind == WireKind::Struct ? after + std::size_t(word(0)) * sizeof(PackedField) : after;
    }
};
static_assert(sizeof(TypeRef) == 12 && alignof(TypeRef) == 4, "a stored type's header is 12 bytes");

// Memory several tables may hold between them (every gob connection of a
// server): define() refuses what would go past it.
class TypeBudget {
public:
    explicit TypeBudget(std::size_t limit) : limit_(limit) {}
    bool take(std::size_t bytes); // false, taking nothing, beyond the limit
    void add(std::size_t bytes) { held_.fetch_add(bytes, std::memory_order_relaxed); } // whatever the limit
    void give(std::size_t bytes) { held_.fetch_sub(bytes, std::memory_order_relaxed); }
    std::size_t held() const { return held_.load(std::memory_order_relaxed); }
    std::size_t limit() const { return limit_.load(std::memory_order_relaxed); }
    void set_limit(std::size_t limit) { limit_.store(limit, std::memory_order_relaxed); }

private:
    std::atomic<std::size_t> held_{0};
    std::atomic<std::size_t> limit_;
};

// Append-only memory for the table's types, in blocks that never move;
// taken back only from the end (TypeTable::rollback).
class TypeArena {
public:
    // Where the next allocation goes: blocks in use, bytes used in the last.
    struct Position {
        std::size_t blocks = 0, used = 0;
    };

    TypeArena() = default;
    TypeArena(TypeArena&&) = default; // the blocks stay where they are
    TypeArena& operator=(TypeArena&&) = default;

    char* allocate(std::size_t bytes); // 4-byte aligned, at least 4 bytes
    static std::size_t rounded(std::size_t bytes) { return std::max<std::size_t>(4, (bytes + 3) & ~std::size_t(3)); }
    Position position() const { return {blocks_.size(), blocks_.empty() ? 0 : blocks_.back().used}; }
    // Take back everything allocated since `p`.
    void rewind(Position p);
    // Calls f(first, end) for each run of bytes allocated since `p`, in order.
    template <class F> void since(Position p, F f) const {
        for (std::size_t b = p.blocks == 0 ? 0 : p.blocks - 1; b < blocks_.size(); ++b) {
            std::size_t from = b + 1 == p.blocks ? p.used : 0;
            f(blocks_[b].bytes.get() + from, blocks_[b].bytes.get() + blocks_[b].used);
        }
    }
    // Bytes allocated from the heap: the blocks, their list and the
    // allocator's header on each.
    std::size_t memory() const { return reserved_ + blocks_.capacity() * sizeof(Block) + blocks_.size() * 16; }

private:
    struct Block {
        std::unique_ptr<char[]> bytes;
        std::size_t size = 0;
        std::size_t used = 0;
    };
    std::vector<Block> blocks_;
    std::size_t reserved_ = 0;
};

// The types a peer has described on one connection; gob's own (ids 16..24)
// are found in every table, from one copy all tables share.
//
// Cost: a definition is kept in less than twice the bytes it took on the
// wire (a type's name and fields' names, 12 bytes a type, 8 a field, and 8
// in the index; see memory()), and the memory of every table that shares a
// TypeBudget is bounded together.
class TypeTable {
public:
    // Limits against a peer that defines types forever.
    static constexpr std::size_t kMaxTypes = 4096;
    static constexpr std::size_t kMaxDefinitionBytes = 1 << 20;

    explicit TypeTable(TypeBudget* budget = nullptr);
    ~TypeTable();
    TypeTable(TypeTable&& o) noexcept; // the stored types stay where they are
    TypeTable& operator=(TypeTable&&) = delete;

    // The description of a composite type; null for basic or unknown ids.
    const TypeRef* find(TypeId id) const;
    static bool is_basic(TypeId id) { return id >= kBool && id <= kInterface; }

    // Records the definition of `id`, which took `bytes` on the wire.
    // Throws Error: ids below 64 or already defined ("gob: duplicate type
    // received"), or past the limits (this table's, or the budget's).
    void define(std::int64_t id, const WireType& t, std::size_t bytes);

    // The id a definition message defines: the negation of the id it
    // carries. INT64_MIN has no negation (found by tests/fuzz): it becomes
    // 0, which define() refuses like every id below 64.
    static std::int64_t defined_id(std::int64_t message_id) {
        return message_id == std::numeric_limits<std::int64_t>::min() ? 0 : -message_id;
    }

    // The peer's definitions held.
    std::size_t size() const { return index_.size(); }

    // Definitions made after a mark can be taken back (a value that was
    // scanned before all of its messages had arrived).
    struct Mark {
        std::size_t types = 0;
        TypeArena::Position at;
    };
    Mark mark() const { return {index_.size(), arena_.position()}; }
    void rollback(const Mark& mark);

    // Go's name for a type in error texts ("int", "Args", "unknown type").
    std::string name_of(TypeId id) const;

    // Ids whose whole type graph is known to be defined (a cache for
    // checking fields that are received but not wanted).
    bool known_complete(TypeId id) const;
    void set_complete(TypeId id);

    // Whether a value of this type can hold an interface value, the only
    // thing that makes a value continue in a further message.
    bool may_hold_interface(TypeId id);

    // Bytes the peer's definitions hold here: the arena and the index.
    std::size_t memory() const;

private:
    struct Predefined {};
    explicit TypeTable(Predefined);
    static const TypeTable& predefined();
    TypeRef* find_here(TypeId id) const;
    void store(TypeId id, const WireType& t, std::size_t wire_bytes);
    void charge();

    TypeArena arena_;
    std::vector<TypeRef*> index_; // the types in the arena, sorted by id
    std::size_t bytes_ = 0;       // their definitions' bytes on the wire
    TypeBudget* budget_ = nullptr;
    std::size_t charged_ = 0; // what this table holds of budget_
};

} // namespace plugrpc::gob
