#include "wire/gob/received_schema.hpp"

#include <memory>
#include <unordered_map>
#include <unordered_set>

namespace plugrpc::gob {

namespace {

class Builder {
public:
    explicit Builder(const TypeTable& types) : types_(types) {}

    // Null with error_ set when `id` has no schema.
    SchemaPtr build(TypeId id, unsigned depth) {
        if (depth > kMaxSchemaDepth)
            return fail("the type " + types_.name_of(id) + " nests deeper than " + std::to_string(kMaxSchemaDepth) +
                        " levels");
        auto s = std::make_shared<Schema>();
        switch (id) {
        case kBool: s->kind = Kind::Bool; return s;
        case kInt: s->kind = Kind::Int; return s;
        case kUint: s->kind = Kind::Uint; return s;
        case kFloat: s->kind = Kind::Float; return s;
        case kBytes: s->kind = Kind::Bytes; return s;
        case kString: s->kind = Kind::String; return s;
        case kComplex: return fail("complex numbers have no JSON form");
        case kInterface: return fail("an interface value cannot be shown without its Go type");
        default: break;
        }
        const TypeRef* t = types_.find(id);
        if (!t) return fail("the type id " + std::to_string(id) + " was not described by the server");
        // A type met twice is one node (no blow-up); met inside itself, refused.
        if (auto it = built_.find(id); it != built_.end()) return it->second;
        if (!open_.insert(id).second) return fail("the type " + types_.name_of(id) + " contains itself");
        SchemaPtr done = composite(*t, std::move(s), depth);
        open_.erase(id);
        if (done) built_[id] = done;
        return done;
    }

    std::string error_;

private:
    SchemaPtr composite(const TypeRef& wt, std::shared_ptr<Schema> s, unsigned depth) {
        const TypeRef* t = &wt;
        switch (t->kind) {
        case WireKind::Slice:
        case WireKind::Array:
            s->kind = t->kind == WireKind::Slice ? Kind::Slice : Kind::Array;
            s->length = t->kind == WireKind::Array ? static_cast<std::uint64_t>(t->len()) : 0;
            if (!(s->elem = build(t->elem(), depth + 1))) return nullptr;
            return s;
        case WireKind::Map:
            s->kind = Kind::Map;
            if (!(s->key = build(t->key(), depth + 1))) return nullptr;
            if (s->key->kind != Kind::String && s->key->kind != Kind::Int && s->key->kind != Kind::Uint)
                return fail("a map keyed by " + types_.name_of(t->key()) +
                            ": JSON keys are strings or integers");
            if (!(s->elem = build(t->elem(), depth + 1))) return nullptr;
            return s;
        case WireKind::Struct:
            s->kind = Kind::Struct;
            s->name = std::string(t->name());
            s->fields.reserve(t->fields().size());
            for (FieldRef f : t->fields()) {
                SchemaPtr type = build(f.id, depth + 1);
                if (!type) return nullptr;
                s->fields.emplace_back(std::string(f.name), std::move(type));
            }
            return s;
        case WireKind::GobEncoder:
        case WireKind::BinaryMarshaler:
        case WireKind::TextMarshaler: break;
        }
        return fail("the type " + std::string(t->name()) + " encodes itself (a GobEncoder or marshaler)");
    }

    SchemaPtr fail(std::string why) {
        if (error_.empty()) error_ = std::move(why);
        return nullptr;
    }

    const TypeTable& types_;
    std::unordered_map<TypeId, SchemaPtr> built_;
    std::unordered_set<TypeId> open_;
};

} // namespace

SchemaResult received_schema(const TypeTable& types, TypeId id) {
    Builder b(types);
    SchemaResult r;
    r.schema = b.build(id, 0);
    if (!r.schema) r.error = b.error_;
    return r;
}

} // namespace plugrpc::gob
