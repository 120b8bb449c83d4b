// Gob type descriptions: the wireType a peer sends once per type
// (`-id` then the description), and the per-connection table of them.
//
// Ids 1..8 are the basic types, 16..24 the structs gob uses to describe
// types (they are predefined and may be sent as values too); peers number
// their own types from 64 up.
#pragma once

#include "wire/gob/wire.hpp"

#include <cstdint>
#include <limits>
#include <string>
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

// The types a peer has described on one connection, plus the predefined ones.
class TypeTable {
public:
    // Limits against a peer that defines types forever.
    static constexpr std::size_t kMaxTypes = 4096;
    static constexpr std::size_t kMaxDefinitionBytes = 1 << 20;

    TypeTable();

    // The description of a composite type; null for basic or unknown ids.
    const WireType* find(TypeId id) const;
    static bool is_basic(TypeId id) { return id >= kBool && id <= kInterface; }

    // Records the definition of `id`, which took `bytes` on the wire.
    // Throws Error: ids below 64 or already defined ("gob: duplicate type
    // received"), or past the limits.
    void define(std::int64_t id, WireType t, std::size_t bytes);

    // The id a definition message defines: the negation of the id it
    // carries. INT64_MIN has no negation (found by tests/fuzz): it becomes
    // 0, which define() refuses like every id below 64.
    static std::int64_t defined_id(std::int64_t message_id) {
        return message_id == std::numeric_limits<std::int64_t>::min() ? 0 : -message_id;
    }

    // Definitions made after a mark can be taken back (a value that was
    // scanned before all of its messages had arrived).
    std::size_t mark() const { return order_.size(); }
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

private:
    std::unordered_map<TypeId, WireType> types_;
    std::vector<std::pair<TypeId, std::size_t>> order_;  // user definitions and their sizes
    std::unordered_set<TypeId> complete_;
    std::unordered_map<TypeId, bool> holds_interface_; // answers that cannot change
    std::size_t bytes_ = 0;
};

} // namespace plugrpc::gob
