#include "wire/gob/compat.hpp"

#include <unordered_set>
#include <vector>

namespace plugrpc::gob {

namespace {

bool is_marshaler(const TypeRef* t) {
    return t && (t->kind == WireKind::GobEncoder || t->kind == WireKind::BinaryMarshaler ||
                 t->kind == WireKind::TextMarshaler);
}

const TypeRef* wire_of_kind(const TypeTable& types, TypeId id, WireKind kind) {
    const TypeRef* t = types.find(id);
    return t && t->kind == kind ? t : nullptr;
}

} // namespace

bool is_byte_slice(const Schema& s) {
    return s.kind == Kind::Bytes || (s.kind == Kind::Slice && s.elem && s.elem->kind == Kind::Uint && s.elem->bits == 8);
}

bool compatible(const TypeTable& types, const Schema& local, TypeId wire) {
    // A type the sender marshals itself needs a receiver that unmarshals it;
    // schemas never do.
    if (is_marshaler(types.find(wire))) return false;
    switch (local.kind) {
    case Kind::Bool: return wire == kBool;
    case Kind::Int: return wire == kInt;
    case Kind::Uint: return wire == kUint;
    case Kind::Float: return wire == kFloat;
    case Kind::String:
    case Kind::Any: return wire == kString; // Any: a string of JSON text
    case Kind::Bytes: return wire == kBytes;
    case Kind::Slice: {
        if (is_byte_slice(local)) return wire == kBytes;
        const TypeRef* t = wire_of_kind(types, wire, WireKind::Slice);
        return t && local.elem && compatible(types, *local.elem, t->elem());
    }
    case Kind::Array: {
        const TypeRef* t = wire_of_kind(types, wire, WireKind::Array);
        return t && local.elem && static_cast<std::uint64_t>(t->len()) == local.length &&
               compatible(types, *local.elem, t->elem());
    }
    case Kind::Map: {
        const TypeRef* t = wire_of_kind(types, wire, WireKind::Map);
        return t && local.key && local.elem && compatible(types, *local.key, t->key()) &&
               compatible(types, *local.elem, t->elem());
    }
    case Kind::Struct: return true;
    }
    return false;
}

const TypeRef& wire_struct_for(const TypeTable& types, const Schema& local, TypeId wire) {
    const TypeRef* t = types.find(wire);
    if (t && t->kind == WireKind::Struct) return *t;
    // Ids 1..15 are Go's predefined non-struct types; others are unknown.
    if (!t && (wire < 1 || wire > 15)) throw Error("gob: unknown type id or corrupted data");
    throw Error("gob: type mismatch in decoder: want struct type " + go_type_name(local) + "; got non-struct");
}

int local_field(const Schema& local, std::string_view wire_name) {
    // Go ignores received fields that are not exported (lower-case first
    // letter); an ASCII check is enough for names that come from C++.
    if (wire_name.empty()) return -1;
    char c = wire_name[0];
    if ((c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9')) return -1;
    for (std::size_t i = 0; i < local.fields.size(); ++i)
        if (local.fields[i].name == wire_name) return static_cast<int>(i);
    return -1;
}

void check_struct(TypeTable& types, const Schema& local, TypeId wire) {
    const TypeRef& ws = wire_struct_for(types, local, wire);
    for (FieldRef f : ws.fields()) {
        if (f.name.empty()) throw Error("gob: empty name for remote field of type " + std::string(ws.name()));
        int i = local_field(local, f.name);
        if (i < 0) {
            check_skippable(types, f.id);
            continue;
        }
        const Schema& field = *local.fields[static_cast<std::size_t>(i)].type;
        if (!compatible(types, field, f.id))
            throw Error("gob: wrong type (" + go_type_name(field) + ") for received field " + std::string(ws.name()) + "." + std::string(f.name));
        check_nested(types, field, f.id);
    }
}

void check_nested(TypeTable& types, const Schema& local, TypeId wire) {
    switch (local.kind) {
    case Kind::Struct: return check_struct(types, local, wire);
    case Kind::Slice:
        if (is_byte_slice(local)) return;
        [[fallthrough]];
    case Kind::Array:
        if (const TypeRef* t = types.find(wire)) check_nested(types, *local.elem, t->elem());
        return;
    case Kind::Map:
        if (const TypeRef* t = types.find(wire)) {
            check_nested(types, *local.key, t->key());
            check_nested(types, *local.elem, t->elem());
        }
        return;
    default: return;
    }
}

void check_skippable(TypeTable& types, TypeId wire) {
    if (TypeTable::is_basic(wire) || types.known_complete(wire)) return;
    std::vector<TypeId> stack{wire};
    std::unordered_set<TypeId> seen{wire};
    auto visit = [&](TypeId id) {
        if (!TypeTable::is_basic(id) && !types.known_complete(id) && seen.insert(id).second) stack.push_back(id);
    };
    while (!stack.empty()) {
        TypeId id = stack.back();
        stack.pop_back();
        const TypeRef* t = types.find(id);
        if (!t) throw Error("gob: bad data: undefined type id " + std::to_string(id));
        if (t->kind == WireKind::Array || t->kind == WireKind::Slice || t->kind == WireKind::Map) visit(t->elem());
        if (t->kind == WireKind::Map) visit(t->key());
        for (FieldRef f : t->fields()) visit(f.id);
    }
    for (TypeId id : seen) types.set_complete(id);
}

} // namespace plugrpc::gob
