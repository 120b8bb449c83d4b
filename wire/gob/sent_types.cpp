#include "wire/gob/sent_types.hpp"

#include "wire/gob/compat.hpp"

namespace plugrpc::gob {

namespace {

TypeId basic_id(const Schema& s) {
    switch (s.kind) {
    case Kind::Bool: return kBool;
    case Kind::Int: return kInt;
    case Kind::Uint: return kUint;
    case Kind::Float: return kFloat;
    case Kind::String: return kString;
    case Kind::Bytes: return kBytes;
    case Kind::Any: return kString; // its JSON text
    case Kind::Slice: return is_byte_slice(s) ? kBytes : 0;
    default: return 0;
    }
}

// The name Go gives a struct field's type: a named type's name, else the
// type written out ("[]string", "map[string]int64").
std::string field_type_name(const Schema& s) { return go_type_name(s); }

// The name Go gives a slice's element type: named types only.
std::string elem_type_name(const Schema& s) { return s.kind == Kind::Struct ? s.name : std::string(); }

} // namespace

void append_message(std::string& out, std::string_view payload) {
    put_uint(out, payload.size());
    out.append(payload);
}

const std::string& SentTypes::key(const Schema& s) {
    auto it = keys_.find(&s);
    if (it != keys_.end()) return it->second;
    std::string k;
    switch (s.kind) {
    case Kind::Slice: k = "[]" + key(*s.elem); break;
    case Kind::Array: k = "[" + std::to_string(s.length) + "]" + key(*s.elem); break;
    case Kind::Map: k = "map[" + key(*s.key) + "]" + key(*s.elem); break;
    case Kind::Struct:
        k = "struct " + std::to_string(s.name.size()) + ":" + s.name + "{";
        for (const Field& f : s.fields) k += std::to_string(f.name.size()) + ":" + f.name + " " + key(*f.type) + ";";
        k += "}";
        break;
    default: k = go_type_name(s); break;
    }
    return keys_.emplace(&s, std::move(k)).first->second;
}

SentTypes::Entry* SentTypes::find(const Schema& s) {
    auto it = by_key_.find(key(s));
    return it == by_key_.end() ? nullptr : &entries_[it->second];
}

TypeId SentTypes::id_for(const Schema& s, const std::string& name) {
    if (TypeId id = basic_id(s)) return id;
    if (Entry* e = find(s)) return e->id;
    // Registered before its parts are built, as Go installs a type before
    // its fields; the index stays valid while entries_ grows.
    std::size_t index = entries_.size();
    entries_.emplace_back();
    by_key_.emplace(key(s), index);
    WireType def;
    def.name = name;
    switch (s.kind) {
    case Kind::Struct:
        def.kind = WireKind::Struct;
        def.id = next_id_++;
        for (const Field& f : s.fields) def.fields.push_back({f.name, id_for(*f.type, field_type_name(*f.type))});
        break;
    case Kind::Slice:
        def.kind = WireKind::Slice;
        def.elem = id_for(*s.elem, elem_type_name(*s.elem));
        def.id = next_id_++;
        break;
    case Kind::Array:
        def.kind = WireKind::Array;
        def.elem = id_for(*s.elem, "");
        def.len = static_cast<std::int64_t>(s.length);
        def.id = next_id_++;
        break;
    case Kind::Map:
        def.kind = WireKind::Map;
        def.key = id_for(*s.key, "");
        def.elem = id_for(*s.elem, "");
        def.id = next_id_++;
        break;
    default: break;
    }
    Entry& e = entries_[index];
    e.id = def.id;
    e.def = std::move(def);
    return e.id;
}

void SentTypes::send(std::string& out, const Schema& s) {
    if (basic_id(s)) return;
    Entry* e = find(s);
    if (!e || e->sent) return;
    e->sent = true;
    std::string payload;
    put_int(payload, -static_cast<std::int64_t>(e->id));
    write_wire_type(payload, e->def);
    append_message(out, payload);
    switch (s.kind) {
    case Kind::Struct:
        for (const Field& f : s.fields) send(out, *f.type);
        break;
    case Kind::Slice:
    case Kind::Array: send(out, *s.elem); break;
    case Kind::Map:
        send(out, *s.key);
        send(out, *s.elem);
        break;
    default: break;
    }
}

} // namespace plugrpc::gob
