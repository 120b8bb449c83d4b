#include "wire/gob/types.hpp"

#include "wire/gob/fields.hpp"

#include <algorithm>
#include <limits>
#include <new>
#include <unordered_set>
#include <utility>

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

bool TypeBudget::take(std::size_t bytes) {
    std::size_t held = held_.load(std::memory_order_relaxed);
    do {
        if (held + bytes > limit()) return false;
    } while (!held_.compare_exchange_weak(held, held + bytes, std::memory_order_relaxed));
    return true;
}

char* TypeArena::allocate(std::size_t bytes) {
    bytes = rounded(bytes);
    if (!blocks_.empty() && blocks_.back().size - blocks_.back().used >= bytes) {
        Block& b = blocks_.back();
        char* p = b.bytes.get() + b.used;
        b.used += bytes;
        return p;
    }
    // Blocks grow with the table (a connection's few types take a few
    // hundred bytes) up to 16 KiB; what is larger than a quarter of a block
    // gets a block of its own. The unused ends stay within a third.
    constexpr std::size_t kMin = 256, kMax = 16 << 10;
    std::size_t size = std::clamp(reserved_ / 2, kMin, kMax);
    if (bytes > size / 4) size = std::max(size, bytes);
    if (bytes > kMax / 4) size = bytes;
    blocks_.push_back(Block{std::unique_ptr<char[]>(new char[size]), size, bytes});
    reserved_ += size;
    return blocks_.back().bytes.get();
}

void TypeArena::rewind(Position p) {
    while (blocks_.size() > p.blocks) {
        reserved_ -= blocks_.back().size;
        blocks_.pop_back();
    }
    if (!blocks_.empty()) blocks_.back().used = p.used;
}

std::size_t TypeRef::size() const {
    std::size_t names = name_size;
    if (kind == WireKind::Struct && word(0) > 0) names = packed()[word(0) - 1].name_end;
    std::size_t fields = kind == WireKind::Struct ? std::size_t(word(0)) * sizeof(PackedField) : 0;
    return sizeof(TypeRef) + words(kind) * 4 + fields + names;
}

namespace {

// TypeRef::flags
constexpr std::uint32_t kComplete = 1, kInterfaceKnown = 2, kHoldsInterface = 4;

bool by_id(const TypeRef* t, TypeId id) { return t->id < id; }

} // namespace

TypeTable::TypeTable(TypeBudget* budget) : budget_(budget) {}

TypeTable::TypeTable(Predefined) {
    // The descriptions gob itself uses (type.go), as Go 1.19 numbers them.
    const WireField common{"CommonType", 18};
    store(16, predefined_struct("wireType", {{"ArrayT", 17}, {"SliceT", 19}, {"StructT", 20}, {"MapT", 23},
                                             {"GobEncoderT", 24}, {"BinaryMarshalerT", 24},
                                             {"TextMarshalerT", 24}}), 0);
    store(17, predefined_struct("arrayType", {common, {"Elem", kInt}, {"Len", kInt}}), 0);
    store(18, predefined_struct("CommonType", {{"Name", kString}, {"Id", kInt}}), 0);
    store(19, predefined_struct("sliceType", {common, {"Elem", kInt}}), 0);
    store(20, predefined_struct("structType", {common, {"Field", 22}}), 0);
    store(21, predefined_struct("", {{"Name", kString}, {"Id", kInt}}), 0);
    WireType fields;
    fields.kind = WireKind::Slice;
    fields.name = "[]*gob.fieldType";
    fields.elem = 21;
    store(22, fields, 0);
    store(23, predefined_struct("mapType", {common, {"Key", kInt}, {"Elem", kInt}}), 0);
    store(24, predefined_struct("gobEncoderType", {common}), 0);
    // Every answer about them is known: never written once shared.
    for (TypeRef* t : index_) t->flags = kComplete | kInterfaceKnown;
}

const TypeTable& TypeTable::predefined() {
    static const TypeTable table{Predefined{}};
    return table;
}

TypeTable::TypeTable(TypeTable&& o) noexcept
    : arena_(std::move(o.arena_)), index_(std::move(o.index_)), bytes_(o.bytes_),
      budget_(std::exchange(o.budget_, nullptr)), charged_(std::exchange(o.charged_, 0)) {}

TypeTable::~TypeTable() {
    if (budget_) budget_->give(charged_);
}

TypeRef* TypeTable::find_here(TypeId id) const {
    auto it = std::lower_bound(index_.begin(), index_.end(), id, by_id);
    return it == index_.end() || (*it)->id != id ? nullptr : *it;
}

const TypeRef* TypeTable::find(TypeId id) const {
    return id < kFirstUserId ? predefined().find_here(id) : find_here(id);
}

// One allocation per type: the 12 bytes, its kind's words, its fields, then
// its name and its fields' names back to back.
void TypeTable::store(TypeId id, const WireType& t, std::size_t wire_bytes) {
    bool is_struct = t.kind == WireKind::Struct;
    std::size_t names = t.name.size();
    for (const WireField& f : t.fields) names += f.name.size();
    std::size_t fields = is_struct ? t.fields.size() : 0;
    std::size_t size = sizeof(TypeRef) + TypeRef::words(t.kind) * 4 + fields * sizeof(PackedField) + names;
    if (size > kMaxDefinitionBytes * 4 || t.name.size() >= (1u << 24)) throw Error("gob: type definition too large");
    // The index grows by a quarter: its unused end stays small.
    if (index_.size() == index_.capacity()) index_.reserve(index_.size() + index_.size() / 4 + 4);
    char* block = arena_.allocate(size);
    auto* ref = new (block) TypeRef;
    ref->id = id;
    ref->kind = t.kind;
    ref->wire_bytes = static_cast<std::uint32_t>(std::min<std::size_t>(wire_bytes, (1u << 24) - 1));
    ref->name_size = static_cast<std::uint32_t>(t.name.size());
    auto* words = reinterpret_cast<std::uint32_t*>(block + sizeof(TypeRef));
    auto put = [&](std::size_t i, std::uint64_t v) { new (&words[i]) std::uint32_t(static_cast<std::uint32_t>(v)); };
    switch (t.kind) {
    case WireKind::Array:
        put(0, static_cast<std::uint32_t>(t.elem));
        put(1, static_cast<std::uint64_t>(t.len));
        put(2, static_cast<std::uint64_t>(t.len) >> 32);
        break;
    case WireKind::Slice: put(0, static_cast<std::uint32_t>(t.elem)); break;
    case WireKind::Map:
        put(0, static_cast<std::uint32_t>(t.key));
        put(1, static_cast<std::uint32_t>(t.elem));
        break;
    case WireKind::Struct: put(0, fields); break;
    default: break;
    }
    auto* packed = reinterpret_cast<PackedField*>(words + TypeRef::words(t.kind));
    char* text = reinterpret_cast<char*>(packed + fields);
    std::copy(t.name.begin(), t.name.end(), text);
    std::size_t at = t.name.size();
    for (std::size_t i = 0; i < fields; ++i) {
        std::copy(t.fields[i].name.begin(), t.fields[i].name.end(), text + at);
        at += t.fields[i].name.size();
        new (&packed[i]) PackedField{static_cast<std::uint32_t>(at), t.fields[i].id};
    }
    index_.insert(std::lower_bound(index_.begin(), index_.end(), id, by_id), ref);
}

std::size_t TypeTable::memory() const {
    // The arena's blocks and the index, each with the allocator's header.
    return arena_.memory() + index_.capacity() * sizeof(TypeRef*) + (index_.capacity() ? 16 : 0);
}

void TypeTable::charge() {
    if (!budget_) return;
    std::size_t now = memory();
    if (now > charged_) {
        if (!budget_->take(now - charged_))
            throw Error("gob: type definitions of every connection hold " + std::to_string(budget_->held()) +
                        " bytes, the server's limit of " + std::to_string(budget_->limit()));
        charged_ = now;
    } else if (now < charged_) {
        budget_->give(charged_ - now);
        charged_ = now;
    }
}

void TypeTable::define(std::int64_t id, const WireType& t, std::size_t bytes) {
    if (id < kFirstUserId || id > std::numeric_limits<TypeId>::max() || find(static_cast<TypeId>(id)))
        throw Error("gob: duplicate type received");
    if (size() >= kMaxTypes) throw Error("gob: too many type definitions on one connection");
    if (bytes_ + bytes > kMaxDefinitionBytes) throw Error("gob: type definitions exceed 1 MiB on one connection");
    Mark before = mark();
    store(static_cast<TypeId>(id), t, bytes);
    bytes_ += bytes;
    try {
        charge();
    } catch (const Error&) {
        rollback(before);
        throw;
    }
}

void TypeTable::rollback(const Mark& mark) {
    if (index_.size() == mark.types) return;
    // The arena holds the types in the order defined: those after the mark
    // leave the index, then the arena.
    arena_.since(mark.at, [&](const char* p, const char* end) {
        while (p < end) {
            const auto* t = reinterpret_cast<const TypeRef*>(p);
            bytes_ -= t->wire_bytes;
            index_.erase(std::lower_bound(index_.begin(), index_.end(), t->id, by_id));
            p += TypeArena::rounded(t->size());
        }
    });
    arena_.rewind(mark.at);
    // Answers about the types left may have depended on those taken back.
    for (TypeRef* t : index_) t->flags = 0;
    if (budget_) {
        std::size_t now = memory();
        if (now < charged_) budget_->give(charged_ - now), charged_ = now;
    }
}

bool TypeTable::known_complete(TypeId id) const {
    const TypeRef* t = find(id);
    return t && (t->flags & kComplete);
}

void TypeTable::set_complete(TypeId id) {
    if (TypeRef* t = id >= kFirstUserId ? find_here(id) : nullptr) t->flags |= kComplete;
}

bool TypeTable::may_hold_interface(TypeId id) {
    if (id == kInterface) return true;
    if (is_basic(id)) return false;
    TypeRef* cached = id >= kFirstUserId ? find_here(id) : nullptr;
    const TypeRef* self = cached ? cached : find(id);
    if (self && (self->flags & kInterfaceKnown)) return self->flags & kHoldsInterface;
    auto remember = [&](bool holds) { // answers that cannot change
        if (cached) cached->flags |= kInterfaceKnown | (holds ? kHoldsInterface : 0);
        return holds;
    };
    std::vector<TypeId> stack{id};
    std::unordered_set<TypeId> seen{id};
    bool complete = true;
    auto visit = [&](TypeId t) {
        if (!is_basic(t) && seen.insert(t).second) stack.push_back(t);
        return t == kInterface;
    };
    while (!stack.empty()) {
        const TypeRef* t = find(stack.back());
        stack.pop_back();
        if (!t) {
            complete = false; // may be defined later: do not remember the answer
            continue;
        }
        bool found = false;
        if (t->kind == WireKind::Array || t->kind == WireKind::Slice || t->kind == WireKind::Map)
            found = visit(t->elem());
        if (t->kind == WireKind::Map) found = visit(t->key()) || found;
        for (FieldRef f : t->fields()) found = visit(f.id) || found;
        if (found) return remember(true);
    }
    if (complete) remember(false);
    return false;
}

std::string TypeTable::name_of(TypeId id) const {
    static const char* const kBasic[] = {"", "bool", "int", "uint", "float", "bytes", "string", "complex", "interface"};
    if (is_basic(id)) return kBasic[id];
    if (const TypeRef* t = find(id)) return std::string(t->name());
    return "unknown type";
}

} // namespace plugrpc::gob
