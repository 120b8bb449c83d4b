#include "wire/gob/skip.hpp"

#include "wire/gob/fields.hpp"

#include <limits>

namespace plugrpc::gob {

namespace {

void check_depth(unsigned depth) {
    if (depth > kMaxValueDepth)
        throw Error("gob: value nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
}

void skip_elements(Walk& w, TypeId elem, std::uint64_t n, unsigned depth) {
    for (std::uint64_t i = 0; i < n; ++i) {
        // Every element takes at least one byte; this also keeps a hostile
        // count from spinning.
        if (w.in.reader().empty())
            throw Error("gob: decoding array or slice: length exceeds input size (" + std::to_string(n) +
                        " elements)");
        skip_value(w, elem, depth + 1);
    }
}

// Go's decodeTypeSequence(isInterface=true): type definitions, each maybe
// ending the message, then the id of the value that follows.
TypeId read_type_sequence(Walk& w) {
    for (;;) {
        Reader& r = w.in.reader();
        if (r.empty()) {
            if (++w.messages > kMaxMessagesPerValue)
                throw StreamError("gob: a value spans more than " + std::to_string(kMaxMessagesPerValue) +
                                  " messages");
            w.in.next_message();
            continue;
        }
        std::int64_t id = r.read_int();
        if (id >= 0) {
            if (id > std::numeric_limits<TypeId>::max()) throw Error("gob: unknown type id or corrupted data");
            return static_cast<TypeId>(id);
        }
        std::size_t before = r.remaining();
        try {
            WireType t = read_wire_type(r);
            if (w.scanning) w.types.define(TypeTable::defined_id(id), t, before - r.remaining());
        } catch (const Error& e) {
            throw StreamError(e.what());
        }
        // A nested definition is followed, in the same buffer, by the byte
        // count of the next delimited message.
        if (!r.empty()) r.read_uint();
    }
}

} // namespace

void skip_interface(Walk& w, unsigned depth) {
    check_depth(depth);
    Reader& r = w.in.reader();
    std::uint64_t name_len = r.read_length("interface type name");
    r.skip(name_len);
    if (name_len == 0) return; // nil interface
    TypeId id = read_type_sequence(w);
    // The byte count of the value: Go's ignorer drops that many bytes, but
    // the count is not the value's length when the value itself defines
    // new types, so walk the value instead.
    w.in.reader().read_length("interface value");
    skip_top_value(w, id, depth + 1);
}

void skip_top_value(Walk& w, TypeId id, unsigned depth) {
    const TypeRef* t = w.types.find(id);
    if (t && t->kind == WireKind::Struct) return skip_value(w, id, depth);
    if (w.in.reader().read_uint() != 0) throw Error("gob: decode: corrupted data: non-zero delta for singleton");
    skip_value(w, id, depth);
}

void skip_value(Walk& w, TypeId id, unsigned depth) {
    check_depth(depth);
    Reader& r = w.in.reader();
    switch (id) {
    case kBool:
    case kInt:
    case kUint:
    case kFloat: r.read_uint(); return;
    case kBytes:
    case kString: r.skip(r.read_length("slice")); return;
    case kComplex:
        r.read_uint();
        r.read_uint();
        return;
    case kInterface: skip_interface(w, depth); return;
    default: break;
    }
    const TypeRef* t = w.types.find(id);
    if (!t) throw Error("gob: bad data: undefined type id " + std::to_string(id));
    switch (t->kind) {
    case WireKind::Array: {
        std::uint64_t n = r.read_uint();
        if (n != static_cast<std::uint64_t>(t->len())) throw Error("gob: length mismatch in ignoreArray");
        return skip_elements(w, t->elem(), n, depth);
    }
    case WireKind::Slice: return skip_elements(w, t->elem(), r.read_uint(), depth);
    case WireKind::Map: {
        std::uint64_t n = r.read_uint();
        TypeId key = t->key(), elem = t->elem();
        for (std::uint64_t i = 0; i < n; ++i) {
            if (w.in.reader().empty())
                throw Error("gob: decoding map: length exceeds input size (" + std::to_string(n) + " elements)");
            skip_value(w, key, depth + 1);
            skip_value(w, elem, depth + 1);
        }
        return;
    }
    case WireKind::Struct:
        for_each_field(r, t->fields().size(), [&](std::size_t f) { skip_value(w, t->fields()[f].id, depth + 1); });
        return;
    case WireKind::GobEncoder:
    case WireKind::BinaryMarshaler:
    case WireKind::TextMarshaler: r.skip(r.read_length("GobDecoder data")); return;
    }
}

} // namespace plugrpc::gob
