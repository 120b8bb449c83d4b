// Gob type descriptions: the wireType a peer sends once per type
// (`-id` then the description), and the per-connection table of them.
//
// Ids 1..8 are the basic types, 16..24 the structs gob uses to describe
// types (they are predefined and may be sent as values too); peers number
// their own types from 64 up.
#pragma once

#include "wire/gob/wire.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
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
// where its name starts. Names follow the fields, back to back.
struct PackedField {
    std::uint32_t name_at = 0; // offset of the name from the first field
    TypeId id = 0;
};

// The fields of a stored struct type, read in place. Valid while the table
// holds the type.
class FieldList {
public:
    FieldList() = default;
    FieldList(const PackedField* fields, std::uint32_t count, std::uint32_t names_end)
        : fields_(fields), count_(count), names_end_(names_end) {}

    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    FieldRef operator[](std::size_t i) const {
        const char* base = reinterpret_cast<const char*>(fields_);
        std::uint32_t end = i + 1 < count_ ? fields_[i + 1].name_at : names_end_;
        return {std::string_view(base + fields_[i].name_at, end - fields_[i].name_at), fields_[i].id};
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
    std::uint32_t count_ = 0;
    std::uint32_t names_end_ = 0;
};

// A type as the table keeps it, in 40 bytes: the description, with its
// fields and names in one block of the table's arena. Valid while the table
// holds the type.
struct TypeRef {
    const char* block = nullptr; // fields, their names, then the type's name
    std::int64_t len = 0;        // Array
    TypeId elem = 0;             // Array, Slice, Map
    TypeId key = 0;              // Map
    std::uint32_t field_count = 0;
    std::uint32_t names_end = 0; // offset of the type's name in the block
    std::uint32_t name_size = 0;
    WireKind kind : 8;
    std::uint32_t wire_bytes : 24; // what its definition took on the wire

    TypeRef() : kind(WireKind::Struct), wire_bytes(0) {}
    std::string_view name() const { return {block + names_end, name_size}; }
    FieldList fields() const { return {reinterpret_cast<const PackedField*>(block), field_count, names_end}; }
};

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
    TypeArena() = default;
    TypeArena(TypeArena&&) = default; // the blocks stay where they are
    TypeArena& operator=(TypeArena&&) = default;

    char* allocate(std::size_t bytes); // 4-byte aligned, at least 4 bytes
    // Take back `p`, the last allocation not yet taken back, and all after it.
    void rewind(const char* p);
    std::size_t reserved() const { return reserved_; } // bytes of the blocks

private:
    struct Block {
        std::unique_ptr<char[]> bytes;
        std::size_t size = 0;
        std::size_t used = 0;
    };
    std::vector<Block> blocks_;
    std::size_t reserved_ = 0;
};

// The types a peer has described on one connection, plus the predefined ones.
//
// Cost: a definition is kept in about the bytes it took on the wire (a
// field's name and 8 bytes; see memory()), and the memory of every table
// that shares a TypeBudget is bounded together.
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

    // Definitions made after a mark can be taken back (a value that was
    // scanned before all of its messages had arrived).
    std::size_t mark() const { return types_.size() - predefined_; }
    void rollback(std::size_t mark);

    // Go's name for a type in error texts ("int", "Args", "unknown type").
    std::string name_of(TypeId id) const;

    // Ids whose whole type graph is known to be defined (a cache for
    // checking fields that are received but not wanted).
    bool known_complete(TypeId id) const { return complete_.count(id) != 0; }
    void set_complete(TypeId id) { complete_.insert(id); }

    // Whether a value of this type can hold an interface value, the only
    // thing that makes a value continue in a further message.
    bool may_hold_interface(TypeId id);

    // Bytes the peer's definitions hold here: the arena and the index.
    std::size_t memory() const;

private:
    void store(TypeId id, const WireType& t, std::size_t wire_bytes);
    void charge();

    TypeArena arena_;
    std::deque<TypeRef> types_;                       // in the order defined
    std::vector<std::pair<TypeId, std::uint32_t>> index_; // id -> types_ position, sorted by id
    std::vector<TypeId> order_;                       // the ids of types_, in the same order
    std::size_t predefined_ = 0;                      // types_ that are gob's own
    std::unordered_set<TypeId> complete_;
    std::unordered_map<TypeId, bool> holds_interface_; // answers that cannot change
    std::size_t bytes_ = 0;
    TypeBudget* budget_ = nullptr;
    std::size_t charged_ = 0; // what this table holds of budget_
};

} // namespace plugrpc::gob
