#include "wire/gob/types.hpp"

#include "wire/gob/fields.hpp"

#include <limits>

namespace plugrpc::gob {

namespace {

TypeId read_id(Reader& r) {
    std::int64_t v = r.read_int();
    if (v < 0 || v > std::numeric_limits<TypeId>::max())
        throw Error("gob: bad type id " + std::to_string(v) + " in a type definition");
    return static_cast<TypeId>(v);
}

// CommonType{Name string; Id typeId}
void read_common(Reader& r, WireType& t) {
    for_each_field(r, 2, [&](std::size_t f) {
        if (f == 0) t.name = std::string(r.read_bytes(r.read_length("type name")));
        else t.id = static_cast<TypeId>(r.read_int());
    });
}

// fieldType{Name string; Id typeId}
WireField read_field(Reader& r) {
    WireField f;
    for_each_field(r, 2, [&](std::size_t n) {
        if (n == 0) f.name = std::string(r.read_bytes(r.read_length("field name")));
        else f.id = read_id(r);
    });
    return f;
}

// arrayType, sliceType, structType, mapType, gobEncoderType: CommonType
// first, then the kind's own fields.
void read_body(Reader& r, WireType& t) {
    static constexpr std::size_t kFieldCount[] = {3, 2, 2, 3, 1, 1, 1};
    for_each_field(r, kFieldCount[static_cast<int>(t.kind)], [&](std::size_t f) {
        if (f == 0) return read_common(r, t);
        switch (t.kind) {
        case WireKind::Array:
            if (f == 1) t.elem = read_id(r);
            else {
                t.len = r.read_int();
                if (t.len < 0) throw Error("gob: bad array length " + std::to_string(t.len) + " in a type definition");
            }
            break;
        case WireKind::Slice: t.elem = read_id(r); break;
        case WireKind::Map:
            if (f == 1) t.key = read_id(r);
            else t.elem = read_id(r);
            break;
        case WireKind::Struct: {
            std::uint64_t n = r.read_uint();
            if (n > r.remaining())
                throw Error("gob: bad field count " + std::to_string(n) + " in a type definition");
            for (std::uint64_t i = 0; i < n; ++i) t.fields.push_back(read_field(r));
            break;
        }
        default: break; // gobEncoderType has only CommonType
        }
    });
}

class StructWriter {
public:
    explicit StructWriter(std::string& out) : out_(out) {}
    void field(int n) {
        put_uint(out_, static_cast<std::uint64_t>(n - last_));
        last_ = n;
    }
    void end() { out_.push_back(0); }

private:
    std::string& out_;
    int last_ = -1;
};

void write_common(std::string& out, const WireType& t) {
    StructWriter w(out);
    if (!t.name.empty()) w.field(0), put_string(out, t.name);
    if (t.id != 0) w.field(1), put_int(out, t.id);
    w.end();
}

WireType predefined_struct(std::string name, std::vector<WireField> fields) {
    WireType t;
    t.kind = WireKind::Struct;
    t.name = std::move(name);
    t.fields = std::move(fields);
    return t;
}

} // namespace

WireType read_wire_type(Reader& r) {
    WireType t;
    int set = 0;
    for_each_field(r, 7, [&](std::size_t f) {
        t.kind = static_cast<WireKind>(f);
        ++set;
        read_body(r, t);
    });
    if (set != 1) throw Error("gob: bad type definition: it describes no type");
    return t;
}

void write_wire_type(std::string& out, const WireType& t) {
    StructWriter outer(out);
    outer.field(static_cast<int>(t.kind));
    StructWriter w(out);
    w.field(0);
    write_common(out, t);
    switch (t.kind) {
    case WireKind::Array:
        if (t.elem) w.field(1), put_int(out, t.elem);
        if (t.len) w.field(2), put_int(out, t.len);
        break;
    case WireKind::Slice:
        if (t.elem) w.field(1), put_int(out, t.elem);
        break;
    case WireKind::Map:
        if (t.key) w.field(1), put_int(out, t.key);
        if (t.elem) w.field(2), put_int(out, t.elem);
        break;
    case WireKind::Struct:
        if (!t.fields.empty()) {
            w.field(1);
            put_uint(out, t.fields.size());
            for (const auto& f : t.fields) {
                StructWriter fw(out);
                if (!f.name.empty()) fw.field(0), put_string(out, f.name);
                if (f.id) fw.field(1), put_int(out, f.id);
                fw.end();
            }
        }
        break;
    default: break;
    }
    w.end();
    outer.end();
}

TypeTable::TypeTable() {
    // The descriptions gob itself uses (type.go), as Go 1.19 numbers them.
    const WireField common{"CommonType", 18};
    types_[16] = predefined_struct("wireType", {{"ArrayT", 17}, {"SliceT", 19}, {"StructT", 20}, {"MapT", 23},
                                                {"GobEncoderT", 24}, {"BinaryMarshalerT", 24},
                                                {"TextMarshalerT", 24}});
    types_[17] = predefined_struct("arrayType", {common, {"Elem", kInt}, {"Len", kInt}});
    types_[18] = predefined_struct("CommonType", {{"Name", kString}, {"Id", kInt}});
    types_[19] = predefined_struct("sliceType", {common, {"Elem", kInt}});
    types_[20] = predefined_struct("structType", {common, {"Field", 22}});
    types_[21] = predefined_struct("", {{"Name", kString}, {"Id", kInt}});
    WireType fields;
    fields.kind = WireKind::Slice;
    fields.name = "[]*gob.fieldType";
    fields.elem = 21;
    types_[22] = fields;
    types_[23] = predefined_struct("mapType", {common, {"Key", kInt}, {"Elem", kInt}});
    types_[24] = predefined_struct("gobEncoderType", {common});
}

const WireType* TypeTable::find(TypeId id) const {
    auto it = types_.find(id);
    return it == types_.end() ? nullptr : &it->second;
}

void TypeTable::define(std::int64_t id, WireType t, std::size_t bytes) {
    if (id < kFirstUserId || id > std::numeric_limits<TypeId>::max() || types_.count(static_cast<TypeId>(id)))
        throw Error("gob: duplicate type received");
    if (order_.size() >= kMaxTypes) throw Error("gob: too many type definitions on one connection");
    if (bytes_ + bytes > kMaxDefinitionBytes) throw Error("gob: type definitions exceed 1 MiB on one connection");
    types_.emplace(static_cast<TypeId>(id), std::move(t));
    order_.emplace_back(static_cast<TypeId>(id), bytes);
    bytes_ += bytes;
}

void TypeTable::rollback(std::size_t mark) {
    while (order_.size() > mark) {
        auto [id, bytes] = order_.back();
        order_.pop_back();
        types_.erase(id);
        complete_.erase(id);
        bytes_ -= bytes;
    }
    holds_interface_.clear();
}

bool TypeTable::may_hold_interface(TypeId id) {
    if (id == kInterface) return true;
    if (is_basic(id)) return false;
    if (auto it = holds_interface_.find(id); it != holds_interface_.end()) return it->second;
    std::vector<TypeId> stack{id};
    std::unordered_set<TypeId> seen{id};
    bool complete = true;
    auto visit = [&](TypeId t) {
        if (!is_basic(t) && seen.insert(t).second) stack.push_back(t);
        return t == kInterface;
    };
    while (!stack.empty()) {
        const WireType* t = find(stack.back());
        stack.pop_back();
        if (!t) {
            complete = false; // may be defined later: do not remember the answer
            continue;
        }
        bool found = false;
        if (t->kind == WireKind::Array || t->kind == WireKind::Slice || t->kind == WireKind::Map)
            found = visit(t->elem);
        if (t->kind == WireKind::Map) found = visit(t->key) || found;
        for (const WireField& f : t->fields) found = visit(f.id) || found;
        if (found) return holds_interface_[id] = true;
    }
    if (complete) holds_interface_[id] = false;
    return false;
}

std::string TypeTable::name_of(TypeId id) const {
    static const char* const kBasic[] = {"", "bool", "int", "uint", "float", "bytes", "string", "complex", "interface"};
    if (is_basic(id)) return kBasic[id];
    if (const WireType* t = find(id)) return t->name;
    return "unknown type";
}

} // namespace plugrpc::gob
