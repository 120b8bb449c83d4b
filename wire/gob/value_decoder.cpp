#include "wire/gob/value_decoder.hpp"

#include "wire/gob/compat.hpp"
#include "wire/gob/fields.hpp"

#include <plugrpc/base64.hpp>
#include <plugrpc/json_parse.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <cmath>
#include <limits>
#include <map>

namespace plugrpc::gob {

namespace json = boost::json;

namespace {

Error out_of_range(std::string_view name) { return Error("value for \"" + std::string(name) + "\" out of range"); }

// Go's per-kind helpers name the element kind in their error; others don't.
std::string exceeds_input(const Schema& elem, std::uint64_t n) {
    std::string kind;
    bool basic = elem.kind == Kind::Bool || elem.kind == Kind::Int || elem.kind == Kind::Float ||
                 elem.kind == Kind::String || (elem.kind == Kind::Uint && elem.bits != 8);
    if (basic) kind = go_type_name(elem) + " ";
    return "gob: decoding " + kind + "array or slice: length exceeds input size (" + std::to_string(n) +
           " elements)";
}

class ValueDecoder {
public:
    ValueDecoder(Walk& w, DecodePlans& plans, json::storage_ptr sp) : w_(w), plans_(plans), sp_(std::move(sp)) {}

    // `name` names the value in nested names ("element of X"); `ovfl` in
    // the out-of-range error of a basic value (they differ inside maps).
    // Every value is built in sp_, so containers take it without a copy.
    json::value value(TypeId id, const Schema& s, std::string_view name, std::string_view ovfl, unsigned depth);
    json::value structure(TypeId id, const Schema& s, unsigned depth);

private:
    Reader& r() { return w_.in.reader(); }
    json::value integer(const Schema& s, std::string_view ovfl);
    json::value floating(const Schema& s, std::string_view ovfl);
    json::value text(std::string_view bytes);
    json::value any(std::string_view text, std::string_view name);
    json::value sequence(TypeId id, const Schema& s, std::string_view name, unsigned depth);
    json::value map(TypeId id, const Schema& s, std::string_view name, unsigned depth);
    const TypeRef& composite(TypeId id, WireKind kind);

    Walk& w_;
    DecodePlans& plans_;
    json::storage_ptr sp_;
};

const TypeRef& ValueDecoder::composite(TypeId id, WireKind kind) {
    const TypeRef* t = w_.types.find(id);
    if (!t || t->kind != kind) throw Error("gob: unknown type id or corrupted data");
    return *t;
}

json::value ValueDecoder::integer(const Schema& s, std::string_view ovfl) {
    if (s.kind == Kind::Int) {
        std::int64_t v = r().read_int();
        if (!int_fits(s, v)) throw out_of_range(ovfl);
        return json::value(v, sp_);
    }
    std::uint64_t v = r().read_uint();
    if (!uint_fits(s, v)) throw out_of_range(ovfl);
    return json::value(v, sp_);
}

json::value ValueDecoder::floating(const Schema& s, std::string_view ovfl) {
    double v = r().read_float();
    if (s.bits == 32) {
        // Infinity fits both widths; a finite value past float32 does not.
        double a = std::fabs(v);
        if (a > std::numeric_limits<float>::max() && a <= std::numeric_limits<double>::max())
            throw out_of_range(ovfl);
        v = static_cast<double>(static_cast<float>(v));
    }
    return json::value(v, sp_);
}

// A string is its bytes, UTF-8 or not, as Go's are; the text that carries
// it to a plugin or a JSON client says what it must (plugrpc/json_write.hpp).
json::value ValueDecoder::text(std::string_view bytes) { return json::string(bytes, sp_); }

// Any JSON value travels as a string of its text; "" is null, the zero value.
json::value ValueDecoder::any(std::string_view text, std::string_view name) {
    if (text.empty()) return json::value(nullptr, sp_);
    json::parse_options opt;
    opt.max_depth = kMaxValueDepth;
    json::error_code ec;
    json::value v = parse_json(text, ec, sp_, opt);
    if (ec) throw Error("gob: " + (name.empty() ? std::string("value") : std::string(name)) + " is not JSON text: " + ec.message());
    return v;
}

json::value ValueDecoder::value(TypeId id, const Schema& s, std::string_view name, std::string_view ovfl,
                                unsigned depth) {
    if (depth > kMaxValueDepth)
        throw Error("gob: value nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
    switch (s.kind) {
    case Kind::Bool: return json::value(r().read_uint() != 0, sp_);
    case Kind::Int:
    case Kind::Uint: return integer(s, ovfl);
    case Kind::Float: return floating(s, ovfl);
    case Kind::String: return text(r().read_bytes(r().read_length("string slice")));
    case Kind::Bytes: return json::string(base64_encode(r().read_bytes(r().read_length("[]uint8 slice"))), sp_);
    case Kind::Slice:
    case Kind::Array: return sequence(id, s, name, depth);
    case Kind::Map: return map(id, s, name, depth);
    case Kind::Struct: return structure(id, s, depth);
    case Kind::Any: return any(r().read_bytes(r().read_length("string slice")), name);
    }
    throw Error("gob: decode can't handle type " + go_type_name(s));
}

json::value ValueDecoder::sequence(TypeId id, const Schema& s, std::string_view name, unsigned depth) {
    json::array out(sp_);
    if (is_byte_slice(s)) {
        for (char c : r().read_bytes(r().read_length("[]uint8 slice")))
            out.emplace_back(static_cast<std::uint64_t>(static_cast<unsigned char>(c)));
        return out;
    }
    const TypeRef& t = composite(id, s.kind == Kind::Array ? WireKind::Array : WireKind::Slice);
    std::uint64_t n = r().read_uint();
    if (s.kind == Kind::Array && n != s.length) throw Error("gob: length mismatch in decodeArray");
    // Every element takes a byte at least: a count past the input is refused
    // before anything is built for it.
    if (n > w_.in.remaining()) throw Error(exceeds_input(*s.elem, n));
    const std::string elem_name = std::string("element of ").append(name);
    for (std::uint64_t i = 0; i < n; ++i) {
        if (r().empty()) throw Error(exceeds_input(*s.elem, n));
        out.push_back(value(t.elem(), *s.elem, elem_name, elem_name, depth + 1));
    }
    return out;
}

json::value ValueDecoder::map(TypeId id, const Schema& s, std::string_view name, unsigned depth) {
    const TypeRef& t = composite(id, WireKind::Map);
    std::uint64_t n = r().read_uint();
    if (n > w_.in.remaining())
        throw Error("gob: decoding map: length exceeds input size (" + std::to_string(n) + " elements)");
    const std::string key_name = std::string("key of ").append(name), elem_name = std::string("element of ").append(name);
    json::object out(sp_);
    for (std::uint64_t i = 0; i < n; ++i) {
        if (r().empty())
            throw Error("gob: decoding map: length exceeds input size (" + std::to_string(n) + " elements)");
        json::value k = value(t.key(), *s.key, key_name, name, depth + 1);
        json::value v = value(t.elem(), *s.elem, elem_name, name, depth + 1);
        std::string key;
        if (k.is_string()) key = k.get_string();
        else if (k.is_int64()) key = std::to_string(k.get_int64());
        else if (k.is_uint64()) key = std::to_string(k.get_uint64());
        else throw Error("gob: map key of type " + go_type_name(*s.key) + " cannot be a JSON object key");
        out[key] = std::move(v); // a repeated key: the last one wins, as in Go
    }
    return out;
}

json::value ValueDecoder::structure(TypeId id, const Schema& s, unsigned depth) {
    if (depth > kMaxValueDepth)
        throw Error("gob: value nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
    const TypeRef& ws = wire_struct_for(w_.types, s, id);
    const std::vector<int>& local = plans_.field_map(id, ws, s);
    // Every field in schema order, then the received ones filled in; a
    // field not received is zero.
    json::object out(sp_);
    out.reserve(s.fields.size());
    for (const Field& f : s.fields) out.emplace(f.name, nullptr);
    std::uint64_t seen = 0; // the fields received, the first 64 of them
    std::vector<bool> seen_more(s.fields.size() > 64 ? s.fields.size() : 0);
    auto mark = [&](std::size_t i) {
        if (i < 64) seen |= std::uint64_t(1) << i;
        else seen_more[i] = true;
    };
    auto present = [&](std::size_t i) -> bool { return i < 64 ? (seen >> i) & 1 : seen_more[i]; };
    for_each_field(r(), ws.fields().size(), [&](std::size_t f) {
        FieldRef wf = ws.fields()[f];
        int i = local[f];
        if (i < 0) return skip_value(w_, wf.id, depth + 1);
        auto slot = static_cast<std::size_t>(i);
        (out.begin() + slot)->value() = value(wf.id, *s.fields[slot].type, wf.name, wf.name, depth + 1);
        mark(slot);
    });
    for (std::size_t i = 0; i < s.fields.size(); ++i)
        if (!present(i)) (out.begin() + i)->value() = zero_value(*s.fields[i].type);
    return out;
}

} // namespace

void DecodePlans::keep(const SchemaPtr& schema) {
    for (const auto& k : kept_)
        if (k == schema) return;
    if (kept_.size() >= kMaxSchemas) {
        checked_.clear();
        field_maps_.clear();
        kept_.clear();
    }
    kept_.push_back(schema);
}

const std::vector<int>& DecodePlans::field_map(TypeId id, const TypeRef& ws, const Schema& s) {
    auto [it, fresh] = field_maps_.try_emplace({id, &s});
    if (fresh)
        for (FieldRef f : ws.fields()) it->second.push_back(local_field(s, f.name));
    return it->second;
}

json::value decode_top_value(Walk& w, TypeId id, const Schema& local, DecodePlans& plans, json::storage_ptr storage) {
    ValueDecoder dec(w, plans, std::move(storage));
    if (local.kind == Kind::Struct) {
        if (!plans.checked(id, local)) {
            check_struct(w.types, local, id);
            const TypeRef& ws = wire_struct_for(w.types, local, id);
            if (id >= kFirstUserId && !local.fields.empty() && !ws.fields().empty()) {
                bool matched = false;
                for (FieldRef f : ws.fields()) matched = matched || local_field(local, f.name) >= 0;
                if (!matched)
                    throw Error("gob: type mismatch: no fields matched compiling decoder for " + local.name);
            }
            plans.mark_checked(id, local);
        }
        return dec.structure(id, local, 0);
    }
    // net/rpc decodes into a pointer, so Go names the local type *T here.
    const std::string name = "*" + go_type_name(local);
    if (!plans.checked(id, local)) {
        if (!compatible(w.types, local, id))
            throw Error("gob: decoding into local type " + name + ", received remote type " + w.types.name_of(id));
        check_nested(w.types, local, id);
        plans.mark_checked(id, local);
    }
    if (w.in.reader().read_uint() != 0) throw Error("gob: decode: corrupted data: non-zero delta for singleton");
    return dec.value(id, local, name, name, 0);
}

json::value decode_top_value(Walk& w, TypeId id, const Schema& local) {
    DecodePlans once;
    return decode_top_value(w, id, local, once);
}

} // namespace plugrpc::gob
