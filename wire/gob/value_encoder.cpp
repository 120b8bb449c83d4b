#include "wire/gob/value_encoder.hpp"

#include "wire/gob/compat.hpp"
#include "wire/json_text.hpp"

#include <plugrpc/base64.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace plugrpc::gob {

namespace json = boost::json;

namespace {

bool fits_int(std::int64_t i, unsigned bits) {
    if (bits == 0 || bits >= 64) return true;
    std::int64_t max = (std::int64_t(1) << (bits - 1)) - 1;
    return i <= max && i >= -max - 1;
}

bool fits_uint(std::uint64_t u, unsigned bits) {
    return bits == 0 || bits >= 64 || u <= (std::uint64_t(1) << bits) - 1;
}

std::optional<std::int64_t> as_int(const json::value* v, unsigned bits) {
    std::int64_t i = 0;
    if (!v) return std::nullopt;
    if (v->is_int64()) i = v->get_int64();
    else if (v->is_uint64() && v->get_uint64() <= std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        i = static_cast<std::int64_t>(v->get_uint64());
    else if (v->is_double() && std::trunc(v->get_double()) == v->get_double() && v->get_double() >= -0x1p63 &&
             v->get_double() < 0x1p63)
        i = static_cast<std::int64_t>(v->get_double());
    else
        return std::nullopt;
    return fits_int(i, bits) ? std::optional(i) : std::nullopt;
}

std::optional<std::uint64_t> as_uint(const json::value* v, unsigned bits) {
    std::uint64_t u = 0;
    if (!v) return std::nullopt;
    if (v->is_uint64()) u = v->get_uint64();
    else if (v->is_int64() && v->get_int64() >= 0) u = static_cast<std::uint64_t>(v->get_int64());
    else if (v->is_double() && std::trunc(v->get_double()) == v->get_double() && v->get_double() >= 0 &&
             v->get_double() < 0x1p64)
        u = static_cast<std::uint64_t>(v->get_double());
    else
        return std::nullopt;
    return fits_uint(u, bits) ? std::optional(u) : std::nullopt;
}

std::optional<double> as_float(const json::value* v, unsigned bits) {
    if (!v || !v->is_number()) return std::nullopt;
    double d = v->to_number<double>();
    if (bits == 32) {
        // Rounded as Go's float32(d): only a finite value that rounds to
        // infinity does not fit.
        auto f = static_cast<float>(d);
        if (std::isinf(f) && std::isfinite(d)) return std::nullopt;
        d = static_cast<double>(f);
    }
    return d;
}

std::string_view as_string(const json::value* v) {
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// Bytes: base64 text; a []uint8 slice: an array of numbers.
std::string bytes_of(const Schema& s, const json::value* v) {
    std::string out;
    if (s.kind == Kind::Bytes) {
        if (!base64_decode(as_string(v), out)) out.clear();
        return out;
    }
    if (v && v->is_array())
        for (const json::value& e : v->get_array()) out.push_back(static_cast<char>(as_uint(&e, 8).value_or(0)));
    return out;
}

const json::array* as_array(const json::value* v) { return v && v->is_array() ? &v->get_array() : nullptr; }
const json::object* as_object(const json::value* v) { return v && v->is_object() ? &v->get_object() : nullptr; }

class ValueEncoder {
public:
    explicit ValueEncoder(std::string& out) : out_(out) {}

    void value(const Schema& s, const json::value* v);
    void structure(const Schema& s, const json::value* v);

private:
    static bool is_zero(const Schema& s, const json::value* v);
    bool map_key(const Schema& key, std::string_view text);

    std::string& out_;
};

bool ValueEncoder::is_zero(const Schema& s, const json::value* v) {
    switch (s.kind) {
    case Kind::Bool: return !(v && v->is_bool() && v->get_bool());
    case Kind::Int: return as_int(v, s.bits).value_or(0) == 0;
    case Kind::Uint: return as_uint(v, s.bits).value_or(0) == 0;
    case Kind::Float: return as_float(v, s.bits).value_or(0) == 0;
    case Kind::String: return as_string(v).empty();
    case Kind::Bytes: return bytes_of(s, v).empty();
    case Kind::Slice: return !as_array(v) || as_array(v)->empty();
    case Kind::Map: return !as_object(v) || as_object(v)->empty(); // JSON cannot tell nil from empty
    case Kind::Array:
    case Kind::Struct: return false;
    case Kind::Any: return !v || v->is_null();
    }
    return true;
}

void ValueEncoder::structure(const Schema& s, const json::value* v) {
    const json::object* o = as_object(v);
    std::size_t last = 0; // one past the last field written
    for (std::size_t i = 0; i < s.fields.size(); ++i) {
        const json::value* fv = nullptr;
        if (o) {
            auto it = o->find(s.fields[i].name);
            if (it != o->end()) fv = &it->value();
        }
        const Schema& type = *s.fields[i].type;
        if (is_zero(type, fv)) continue;
        put_uint(out_, i + 1 - last);
        last = i + 1;
        value(type, fv);
    }
    out_.push_back(0);
}

bool ValueEncoder::map_key(const Schema& key, std::string_view text) {
    if (key.kind == Kind::String) {
        put_string(out_, text);
        return true;
    }
    const char* end = text.data() + text.size();
    if (key.kind == Kind::Int) {
        std::int64_t i = 0;
        auto [p, ec] = std::from_chars(text.data(), end, i);
        if (ec != std::errc() || p != end || text.empty() || !fits_int(i, key.bits)) return false;
        put_int(out_, i);
        return true;
    }
    if (key.kind == Kind::Uint) {
        std::uint64_t u = 0;
        auto [p, ec] = std::from_chars(text.data(), end, u);
        if (ec != std::errc() || p != end || text.empty() || !fits_uint(u, key.bits)) return false;
        put_uint(out_, u);
        return true;
    }
    return false;
}

void ValueEncoder::value(const Schema& s, const json::value* v) {
    switch (s.kind) {
    case Kind::Bool: put_uint(out_, v && v->is_bool() && v->get_bool() ? 1 : 0); return;
    case Kind::Int: put_int(out_, as_int(v, s.bits).value_or(0)); return;
    case Kind::Uint: put_uint(out_, as_uint(v, s.bits).value_or(0)); return;
    case Kind::Float: put_float(out_, as_float(v, s.bits).value_or(0)); return;
    case Kind::String: put_string(out_, as_string(v)); return;
    case Kind::Bytes: put_string(out_, bytes_of(s, v)); return;
    case Kind::Any: { // a string of the value's JSON text; null is ""
        std::string text;
        if (v && !v->is_null()) append_json(text, *v);
        put_string(out_, text);
        return;
    }
    case Kind::Slice: {
        if (is_byte_slice(s)) return put_string(out_, bytes_of(s, v));
        const json::array* a = as_array(v);
        put_uint(out_, a ? a->size() : 0);
        if (a)
            for (const json::value& e : *a) value(*s.elem, &e);
        return;
    }
    case Kind::Array: {
        // Exactly the schema's length: missing elements are zero, extra
        // ones dropped.
        const json::array* a = as_array(v);
        put_uint(out_, s.length);
        for (std::uint64_t i = 0; i < s.length; ++i)
            value(*s.elem, a && i < a->size() ? &(*a)[static_cast<std::size_t>(i)] : nullptr);
        return;
    }
    case Kind::Map: {
        const json::object* o = as_object(v);
        std::string pairs;
        std::size_t n = 0;
        if (o) {
            ValueEncoder inner(pairs);
            for (const auto& kv : *o) {
                std::size_t mark = pairs.size();
                if (!inner.map_key(*s.key, kv.key())) {
                    pairs.resize(mark); // a key the schema cannot hold: left out
                    continue;
                }
                inner.value(*s.elem, &kv.value());
                ++n;
            }
        }
        put_uint(out_, n);
        out_ += pairs;
        return;
    }
    case Kind::Struct: structure(s, v); return;
    }
}

} // namespace

void encode_top_value(std::string& out, TypeId id, const Schema& s, const json::value* v) {
    put_int(out, id);
    ValueEncoder enc(out);
    if (s.kind == Kind::Struct) return enc.structure(s, v);
    put_uint(out, 0);
    enc.value(s, v);
}

} // namespace plugrpc::gob
