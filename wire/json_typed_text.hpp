// JSON text of a value whose schema holds float32s: each float32 written
// as Go's encoding/json writes a float32 (floatEncoder with bits 32: the
// shortest digits that read back the same float32), so float32(0.1) is 0.1
// as from Go's server, not the 0.10000000149011612 its float64 would be.
// A value carries no widths of its own; the schema says where they are.
#pragma once

#include "wire/json_text.hpp"
#include "wire/schema.hpp"

namespace plugrpc {

// Depth is bounded by the schema (kMaxSchemaDepth); below an Any, by the
// parser that built the value.
inline void append_json_as(std::string& out, const boost::json::value& v, const Schema& s) {
    if (!s.has_float32) return append_json(out, v);
    switch (s.kind) {
    case Kind::Float:
        if (v.is_double()) return append_go_float32(out, static_cast<float>(v.get_double()));
        return append_json(out, v);
    case Kind::Slice:
    case Kind::Array: {
        if (!v.is_array()) return append_json(out, v);
        char sep = '[';
        for (const auto& e : v.get_array()) {
            out += sep;
            sep = ',';
            append_json_as(out, e, *s.elem);
        }
        if (sep == '[') out += '[';
        out += ']';
        return;
    }
    case Kind::Map:
    case Kind::Struct: {
        if (!v.is_object()) return append_json(out, v);
        char sep = '{';
        std::size_t i = 0; // a struct's members come in field order
        for (const auto& kv : v.get_object()) {
            out += sep;
            sep = ',';
            append_json(out, kv.key());
            out += ':';
            const Schema* type = nullptr;
            if (s.kind == Kind::Map) {
                type = s.elem.get();
            } else if (i < s.fields.size() && s.fields[i].name == kv.key()) {
                type = s.fields[i].type.get();
            } else if (int at = s.field_index(kv.key()); at >= 0) {
                type = s.fields[static_cast<std::size_t>(at)].type.get();
            }
            ++i;
            if (type) append_json_as(out, kv.value(), *type);
            else append_json(out, kv.value());
        }
        if (sep == '{') out += '{';
        out += '}';
        return;
    }
    default: return append_json(out, v);
    }
}

} // namespace plugrpc
