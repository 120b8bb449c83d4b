#include "wire/schema.hpp"

#include "wire/go_fold.hpp"
#include "wire/integer_literal.hpp"
#include "wire/json_text.hpp"
#include "wire/number_literals.hpp"

#include <plugrpc/base64.hpp>
#include <plugrpc/json_write.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <strings.h>
#include <type_traits>

namespace plugrpc {

Field::Field(std::string n, SchemaPtr t) : name(std::move(n)), type(std::move(t)) {
    append_json(json_key, name);
    json_key += ':';
}
namespace json = boost::json;

int Schema::field_index(std::string_view n) const {
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (fields[i].name == n) return static_cast<int>(i);
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (go_fold_equal(n, fields[i].name)) return static_cast<int>(i);
    return -1;
}

// ---- parsing -------------------------------------------------------------

namespace {

struct Parser {
    std::string error;

    SchemaPtr fail(const std::string& path, const std::string& why) {
        if (error.empty()) error = (path.empty() ? std::string("schema") : path) + ": " + why;
        return nullptr;
    }

    static const json::string* str(const json::object& o, std::string_view key) {
        auto it = o.find(key);
        return it != o.end() && it->value().is_string() ? &it->value().get_string() : nullptr;
    }

    static bool width(std::string_view f, std::string_view prefix, unsigned& bits) {
        if (f.substr(0, prefix.size()) != prefix) return false;
        auto rest = f.substr(prefix.size());
        for (unsigned b : {8u, 16u, 32u, 64u})
            if (rest == std::to_string(b)) return bits = b, true;
        return false;
    }

    SchemaPtr parse(const json::value& v, const std::string& path, unsigned depth) {
        if (depth > kMaxSchemaDepth) return fail(path, "nested deeper than 32 levels");
        if (!v.is_object()) return fail(path, "must be a JSON object");
        const auto& o = v.get_object();
        if (o.empty()) { // JSON Schema's "any value"
            auto any = std::make_shared<Schema>();
            any->kind = Kind::Any;
            return any;
        }
        const json::string* type = str(o, "type");
        if (!type) return fail(path, "missing \"type\"");
        const json::string* fmt = str(o, "format");
        std::string_view f = fmt ? std::string_view(*fmt) : std::string_view();
        auto s = std::make_shared<Schema>();

        if (*type == "boolean") {
            s->kind = Kind::Bool;
        } else if (*type == "integer") {
            if (f.empty()) f = "int64";
            if (width(f, "int", s->bits)) s->kind = Kind::Int;
            else if (width(f, "uint", s->bits)) s->kind = Kind::Uint;
            else return fail(path, "unknown integer format \"" + std::string(f) + "\"");
        } else if (*type == "number") {
            s->kind = Kind::Float;
            if (f.empty() || f == "double") s->bits = 64;
            else if (f == "float") s->bits = 32;
            else return fail(path, "unknown number format \"" + std::string(f) + "\"");
        } else if (*type == "string") {
            if (f == "byte") s->kind = Kind::Bytes;
            else s->kind = Kind::String;
        } else if (*type == "array") {
            auto items = o.find("items");
            if (items == o.end()) return fail(path, "array without \"items\"");
            s->elem = parse(items->value(), path + ".items", depth + 1);
            if (!s->elem) return nullptr;
            s->kind = Kind::Slice;
            auto mn = o.find("minItems"), mx = o.find("maxItems");
            if (mn != o.end() || mx != o.end()) {
                if (mn == o.end() || mx == o.end() || !mn->value().is_number() ||
                    !mx->value().is_number() || mn->value() != mx->value())
                    return fail(path, "a fixed array needs equal minItems and maxItems");
                boost::system::error_code ec;
                auto n = mx->value().to_number<std::int64_t>(ec);
                if (ec) return fail(path, "array length must be a whole number");
                if (n < 0 || n > (1 << 20)) return fail(path, "array length out of range");
                s->kind = Kind::Array;
                s->length = static_cast<std::uint64_t>(n);
            }
        } else if (*type == "object") {
            auto props = o.find("properties");
            auto extra = o.find("additionalProperties");
            if (props != o.end()) {
                if (!props->value().is_object()) return fail(path, "\"properties\" must be an object");
                s->kind = Kind::Struct;
                if (const json::string* t = str(o, "title")) s->name = std::string(*t);
                if (s->name.empty()) s->name = "struct";
                for (const auto& kv : props->value().get_object()) {
                    if (kv.key().empty()) return fail(path, "a property with an empty name");
                    auto ft = parse(kv.value(), path + "." + std::string(kv.key()), depth + 1);
                    if (!ft) return nullptr;
                    for (const auto& existing : s->fields)
                        if (existing.name == kv.key())
                            return fail(path, "duplicate property \"" + std::string(kv.key()) + "\"");
                    s->fields.emplace_back(std::string(kv.key()), std::move(ft));
                }
            } else if (extra != o.end() && extra->value().is_object()) {
                s->kind = Kind::Map;
                s->elem = parse(extra->value(), path + ".additionalProperties", depth + 1);
                if (!s->elem) return nullptr;
                auto key = o.find("x-key");
                if (key != o.end()) {
                    s->key = parse(key->value(), path + ".x-key", depth + 1);
                    if (!s->key) return nullptr;
                    if (s->key->kind != Kind::Int && s->key->kind != Kind::Uint &&
                        s->key->kind != Kind::String)
                        return fail(path, "map keys must be strings or integers");
                } else {
                    auto k = std::make_shared<Schema>();
                    k->kind = Kind::String;
                    s->key = std::move(k);
                }
            } else {
                return fail(path, "object needs \"properties\" (a struct) or "
                                  "\"additionalProperties\" (a map)");
            }
        } else {
            return fail(path, "unknown type \"" + std::string(*type) + "\"");
        }
        s->has_float32 = (s->kind == Kind::Float && s->bits == 32) || (s->elem && s->elem->has_float32) ||
                         (s->key && s->key->has_float32);
        for (const auto& f : s->fields) s->has_float32 = s->has_float32 || f.type->has_float32;
        return s;
    }
};

} // namespace

SchemaResult parse_schema(const json::value& v) {
    Parser p;
    SchemaPtr s = p.parse(v, "", 0);
    return {s, s ? std::string() : p.error};
}

SchemaResult parse_schema(std::string_view text) {
    json::parse_options opt;
    opt.max_depth = 2 * kMaxSchemaDepth + 8;
    boost::system::error_code ec;
    json::value v = json::parse(text, ec, {}, opt);
    if (ec) return {nullptr, "schema is not valid JSON: " + ec.message()};
    return parse_schema(v);
}

// ---- rendering -------------------------------------------------------------

json::value schema_to_json(const Schema& s) {
    json::object o;
    switch (s.kind) {
    case Kind::Bool: o["type"] = "boolean"; break;
    case Kind::Int: o["type"] = "integer"; o["format"] = "int" + std::to_string(s.bits); break;
    case Kind::Uint: o["type"] = "integer"; o["format"] = "uint" + std::to_string(s.bits); break;
    case Kind::Float: o["type"] = "number"; o["format"] = s.bits == 32 ? "float" : "double"; break;
    case Kind::String: o["type"] = "string"; break;
    case Kind::Bytes: o["type"] = "string"; o["format"] = "byte"; break;
    case Kind::Slice: o["type"] = "array"; o["items"] = schema_to_json(*s.elem); break;
    case Kind::Array:
        o["type"] = "array";
        o["items"] = schema_to_json(*s.elem);
        o["minItems"] = s.length;
        o["maxItems"] = s.length;
        break;
    case Kind::Map:
        o["type"] = "object";
        o["additionalProperties"] = schema_to_json(*s.elem);
        if (s.key && s.key->kind != Kind::String) o["x-key"] = schema_to_json(*s.key);
        break;
    case Kind::Struct: {
        o["type"] = "object";
        o["title"] = s.name;
        json::object props;
        for (const auto& f : s.fields) props[f.name] = schema_to_json(*f.type);
        o["properties"] = std::move(props);
        break;
    }
    case Kind::Any: break; // {}
    }
    return o;
}

namespace {
std::string name_of(const Schema& s, const char* bytes) {
    switch (s.kind) {
    case Kind::Bool: return "bool";
    case Kind::Int: return "int" + std::to_string(s.bits);
    case Kind::Uint: return "uint" + std::to_string(s.bits);
    case Kind::Float: return "float" + std::to_string(s.bits);
    case Kind::String: return "string";
    case Kind::Bytes: return bytes;
    case Kind::Slice: return "[]" + name_of(*s.elem, bytes);
    case Kind::Array: return "[" + std::to_string(s.length) + "]" + name_of(*s.elem, bytes);
    case Kind::Map: return "map[" + name_of(*s.key, bytes) + "]" + name_of(*s.elem, bytes);
    case Kind::Struct: return s.name;
    case Kind::Any: return "json.RawMessage";
    }
    return "?";
}
} // namespace

std::string type_name(const Schema& s) { return name_of(s, "[]byte"); }

std::string go_type_name(const Schema& s) { return name_of(s, "[]uint8"); }

json::value zero_value(const Schema& s) {
    switch (s.kind) {
    case Kind::Bool: return false;
    case Kind::Int: return std::int64_t(0);
    case Kind::Uint: return std::uint64_t(0);
    case Kind::Float: return 0.0;
    case Kind::String:
    case Kind::Bytes: return json::string();
    case Kind::Slice: return json::array();
    case Kind::Array: {
        json::array a;
        a.reserve(s.length);
        for (std::uint64_t i = 0; i < s.length; ++i) a.push_back(zero_value(*s.elem));
        return a;
    }
    case Kind::Map: return json::object();
    case Kind::Struct: {
        json::object o;
        o.reserve(s.fields.size());
        for (const auto& f : s.fields) o[f.name] = zero_value(*f.type);
        return o;
    }
    case Kind::Any: return nullptr;
    }
    return nullptr;
}

// ---- normalizing -------------------------------------------------------------

namespace {

const char* kind_of(const json::value& v) {
    switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
    }
    return "?";
}

// One step of the path to a value being checked.
struct PathSegment {
    enum class Kind : std::uint8_t { Field, Index, Key } kind;
    std::string_view text; // Field, Key
    std::size_t index;     // Index
};

// Checks a value against a schema and writes its canonical form to Out:
// a json::value (built in the value's own storage), or JSON text appended
// to a std::string — the text serialising the value would give.
template <class Out>
struct Normalizer {
    static constexpr bool kText = std::is_same_v<Out, std::string>;
    std::string error;
    NormalizeOptions opt;

    // Where the value being checked sits, as segments: built into a text
    // ("B", "Items[3].Name", "Tags[key]") only when a check fails.
    using Segment = PathSegment;
    Segment segments[kMaxSchemaDepth + 2];
    unsigned depth_ = 0;

    struct Enter {
        Normalizer& n;
        Enter(Normalizer& n, Segment s) : n(n) { n.segments[n.depth_++] = s; }
        ~Enter() { --n.depth_; }
    };
    Enter field(std::string_view name) { return Enter(*this, {Segment::Kind::Field, name, 0}); }
    Enter index(std::size_t i) { return Enter(*this, {Segment::Kind::Index, {}, i}); }
    Enter key(std::string_view k) { return Enter(*this, {Segment::Kind::Key, k, 0}); }

    std::string path() const {
        std::string p;
        for (unsigned i = 0; i < depth_; ++i) {
            const Segment& s = segments[i];
            if (s.kind == Segment::Kind::Field) {
                if (!p.empty()) p += '.';
                p += s.text;
            } else {
                p += '[';
                if (s.kind == Segment::Kind::Index) p += std::to_string(s.index);
                else p += s.text;
                p += ']';
            }
        }
        return p;
    }

    bool fail(const std::string& why) {
        if (error.empty()) {
            std::string p = path();
            error = (p.empty() ? std::string("params") : "field " + p) + ": " + why;
        }
        return false;
    }

    // Write a scalar or a whole value.
    template <class T>
    static void emit(Out& out, const T& v) {
        if constexpr (kText) {
            if constexpr (std::is_same_v<T, bool>) out += v ? "true" : "false";
            else if constexpr (std::is_integral_v<T>) append_integer(out, v);
            else if constexpr (std::is_same_v<T, json::string>)
                append_json_string(out, std::string_view(v.data(), v.size()), TextForm::Standard);
            else append_json_text(out, json::value(v), TextForm::Standard); // the text a plugin reads
        } else {
            out = v;
        }
    }

    // An integer is judged on its number's text, by the rule `opt` asks
    // for (integer_literal.hpp). The parse reads an integer literal that
    // fits 64 bits as an int64 or a uint64, exactly; anything else (a
    // fraction, an exponent, -0, more than 64 bits) as a double, which may
    // have been rounded (9.007199254740993e15, 1e-400 and
    // 1.00000000000000001 read as 9007199254740992, 0 and 1) and cannot
    // tell -0 from -0.0: its literal decides (NumberLiterals). A double
    // whose literal is not known is refused, never rounded or truncated.
    bool integer_value(const json::value& v, const Schema& s, IntegerLiteral& n) {
        auto what = [&s] { return "expected an integer (" + type_name(s) + ")"; }; // only on failure
        if (v.is_int64()) {
            std::int64_t i = v.get_int64();
            n = {IntegerLiteral::Status::Integer, i < 0,
                 i < 0 ? 0 - static_cast<std::uint64_t>(i) : static_cast<std::uint64_t>(i)};
        } else if (v.is_uint64()) {
            n = {IntegerLiteral::Status::Integer, false, v.get_uint64()};
        } else if (v.is_double()) {
            std::string_view text = opt.literals ? opt.literals->of(v) : std::string_view();
            if (text.empty()) { // not needed (2.5 is no integer however written), or not known
                double d = v.get_double();
                if (!std::isfinite(d)) return fail(what() + ", got a number out of range");
                char buf[32];
                auto r = std::to_chars(buf, buf + sizeof buf, d); // shortest text that reads back as d
                if (std::trunc(d) != d) return fail(what() + ", got " + std::string(buf, r.ptr));
                return fail(what() + ", got the floating-point number " + std::string(buf, r.ptr));
            }
            n = opt.exact_integers ? read_exact_integer(text) : read_go_integer(text, s.kind == Kind::Int);
            if (n.status == IntegerLiteral::Status::Beyond64) return fail(what() + ", got a number beyond 64 bits");
            if (n.status == IntegerLiteral::Status::NotInteger) {
                if (s.kind == Kind::Uint && text[0] == '-')
                    return fail("expected an unsigned integer (" + type_name(s) + "), got " + std::string(text));
                return fail(what() + ", got " + std::string(text));
            }
        } else {
            return fail(what() + ", got " + kind_of(v));
        }
        if (s.kind == Kind::Uint) {
            if (n.negative)
                return fail("expected an unsigned integer (" + type_name(s) + "), got -" + std::to_string(n.magnitude));
            std::uint64_t max = s.bits == 64 ? ~0ull : (1ull << s.bits) - 1;
            if (n.magnitude > max) return fail("value " + std::to_string(n.magnitude) + " overflows " + type_name(s));
            return true;
        }
        std::uint64_t max = s.bits == 64 ? std::uint64_t(std::numeric_limits<std::int64_t>::max())
                                         : (1ull << (s.bits - 1)) - 1;
        if (n.magnitude > max + (n.negative ? 1 : 0))
            return fail("value " + std::string(n.negative ? "-" : "") + std::to_string(n.magnitude) + " overflows " +
                        type_name(s));
        return true;
    }

    bool integer(const json::value& v, const Schema& s, Out& out) {
        IntegerLiteral n;
        if (!integer_value(v, s, n)) return false;
        if (s.kind == Kind::Uint) emit(out, n.magnitude);
        else emit(out, n.negative ? static_cast<std::int64_t>(0 - n.magnitude) : static_cast<std::int64_t>(n.magnitude));
        return true;
    }

    bool run(const json::value& v, const Schema& s, Out& out, unsigned depth) {
        if (depth > kMaxSchemaDepth) return fail("nested too deep");
        if (v.is_null()) { // as Go's encoding/json: null leaves the zero value
            emit(out, zero_value(s));
            return true;
        }
        switch (s.kind) {
        case Kind::Bool:
            if (!v.is_bool()) return fail(std::string("expected a boolean, got ") + kind_of(v));
            emit(out, v.get_bool());
            return true;
        case Kind::Int:
        case Kind::Uint: return integer(v, s, out);
        case Kind::Float: {
            if (!v.is_number()) return fail(std::string("expected a number, got ") + kind_of(v));
            double d = v.to_number<double>();
            // The largest float32 as Go prints it (3.4028235e+38) is above
            // FLT_MAX as a double, yet rounds to it: only infinity overflows.
            if (s.bits == 32 && std::isfinite(d) && std::isinf(static_cast<float>(d)))
                return fail("value overflows float32");
            // Text comes from JSON, where a number past a double's range
            // (1e400) reads as infinity: Go's encoding/json refuses it.
            if constexpr (kText)
                if (!std::isfinite(d)) return fail("value overflows " + type_name(s));
            emit(out, d);
            return true;
        }
        case Kind::String:
            if (!v.is_string()) return fail(std::string("expected a string, got ") + kind_of(v));
            emit(out, v.get_string());
            return true;
        case Kind::Bytes:
            if (v.is_array() && opt.go_arrays) return byte_array(v.get_array(), out);
            if (!v.is_string()) return fail(std::string("expected a base64 string, got ") + kind_of(v));
            if (!base64_valid(v.get_string())) return fail("not valid base64");
            emit(out, v.get_string());
            return true;
        case Kind::Slice:
        case Kind::Array: return sequence(v, s, out, depth);
        case Kind::Map: return map(v, s, out, depth);
        case Kind::Struct: return structure(v, s, out, depth);
        case Kind::Any: return any(v, out);
        }
        return fail("unsupported type");
    }

    // Any value, as it is; only a number JSON cannot write (1e400 read as
    // infinity) is refused, as Go's encoding/json refuses it. Its depth is
    // bounded by the parser that built it.
    bool any(const json::value& v, Out& out) {
        if (!finite(v)) return fail("a number out of range");
        if constexpr (kText) append_json_text(out, v, TextForm::Standard);
        else out = v;
        return true;
    }
    static bool finite(const json::value& v) {
        switch (v.kind()) {
        case json::kind::double_: return std::isfinite(v.get_double());
        case json::kind::array:
            for (const auto& e : v.get_array())
                if (!finite(e)) return false;
            return true;
        case json::kind::object:
            for (const auto& kv : v.get_object())
                if (!finite(kv.value())) return false;
            return true;
        default: return true;
        }
    }

    // A []byte given as an array of numbers (Go's encoding/json reads each
    // as a uint8): written as its base64 text, the canonical form.
    bool byte_array(const json::array& in, Out& out) {
        static const Schema byte = [] {
            Schema b;
            b.kind = Kind::Uint;
            b.bits = 8;
            return b;
        }();
        std::string bytes;
        bytes.reserve(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) {
            auto at = index(i);
            const json::value& e = in[i];
            if (e.is_null()) { // null leaves the zero value, as anywhere
                bytes += '\0';
            } else if (e.is_int64() && e.get_int64() >= 0 && e.get_int64() <= 255) {
                bytes += static_cast<char>(e.get_int64());
            } else if (e.is_uint64() && e.get_uint64() <= 255) {
                bytes += static_cast<char>(e.get_uint64());
            } else {
                IntegerLiteral n; // as a uint8 field reads it; refused saying why
                if (!integer_value(e, byte, n)) return false;
                bytes += static_cast<char>(n.magnitude);
            }
        }
        emit(out, json::string(base64_encode(bytes)));
        return true;
    }

    bool sequence(const json::value& v, const Schema& s, Out& out, unsigned depth) {
        if (!v.is_array()) return fail(std::string("expected an array, got ") + kind_of(v));
        const auto& whole = v.get_array();
        if (s.kind == Kind::Array && whole.size() > s.length && !opt.go_arrays)
            return fail("expected at most " + std::to_string(s.length) + " elements, got " +
                        std::to_string(whole.size()));
        // Go's [N]T keeps the first N elements of a longer array.
        struct Taken {
            const json::array& a;
            std::size_t n;
            std::size_t size() const { return n; }
            const json::value& operator[](std::size_t i) const { return a[i]; }
        } in{whole, s.kind == Kind::Array ? std::min<std::size_t>(whole.size(), s.length) : whole.size()};
        std::size_t total = s.kind == Kind::Array ? s.length : in.size();
        if constexpr (kText) {
            out += '[';
            for (std::size_t i = 0; i < in.size(); ++i) {
                auto at = index(i);
                if (i) out += ',';
                if (!run(in[i], *s.elem, out, depth + 1)) return false;
            }
            for (std::size_t i = in.size(); i < total; ++i) {
                if (i) out += ',';
                emit(out, zero_value(*s.elem));
            }
            out += ']';
        } else {
            json::array& a = out.emplace_array();
            a.reserve(total);
            for (std::size_t i = 0; i < in.size(); ++i) {
                auto at = index(i);
                if (!run(in[i], *s.elem, a.emplace_back(nullptr), depth + 1)) return false;
            }
            while (a.size() < total) a.push_back(zero_value(*s.elem));
        }
        return true;
    }

    // A map key as Go's encoding/json reads it (strconv.ParseInt/ParseUint):
    // decimal digits, a sign only for signed keys, no spaces, fractions or exponents.
    bool integer_key(std::string_view text, const Schema& key, json::value& out) {
        if (key.kind == Kind::Int && text.size() > 1 && text[0] == '+' && text[1] != '-') text.remove_prefix(1);
        const char* end = text.data() + text.size();
        json::value parsed;
        std::from_chars_result r{};
        if (key.kind == Kind::Int && !text.empty() && text[0] == '-') {
            std::int64_t i = 0;
            r = std::from_chars(text.data(), end, i);
            parsed = i;
        } else {
            std::uint64_t u = 0;
            r = std::from_chars(text.data(), end, u);
            parsed = u;
        }
        if (text.empty() || r.ec != std::errc() || r.ptr != end)
            return fail("map key is not an integer of type " + type_name(key));
        return integer(parsed, key, out); // only the value form reads maps (see map())
    }

    bool map(const json::value& v, const Schema& s, Out& out, unsigned depth) {
        if (!v.is_object()) return fail(std::string("expected an object, got ") + kind_of(v));
        if constexpr (kText) {
            // Keys may collapse ("+7" and "007" are "7"; a repeated key keeps
            // its last value): built as a value first, then written.
            unsigned char block[1024];
            json::monotonic_resource arena(block, sizeof block);
            json::value built(&arena);
            Normalizer<json::value> as_value;
            as_value.opt = opt;
            as_value.depth_ = depth_;
            std::copy(segments, segments + depth_, as_value.segments);
            if (!as_value.map(v, s, built, depth)) {
                error = std::move(as_value.error);
                return false;
            }
            append_json_text(out, built, TextForm::Standard);
        } else {
            json::object& o = out.emplace_object();
            for (const auto& kv : v.get_object()) {
                auto at = key(kv.key());
                if (s.key->kind != Kind::String) {
                    json::value k;
                    if (!integer_key(kv.key(), *s.key, k)) return false;
                    // canonical: "+7" and "007" are "7"
                    if (!run(kv.value(), *s.elem, o[json::serialize(k)], depth + 1)) return false;
                } else if (!run(kv.value(), *s.elem, o[kv.key()], depth + 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    bool structure(const json::value& v, const Schema& s, Out& out, unsigned depth) {
        if (!v.is_object() && !(v.is_array() && opt.struct_from_array))
            return fail("expected an object " + s.name + ", got " + kind_of(v));
        // The value of each field: given positionally, or by name (exact
        // first, then as Go folds case; the last given wins, as each
        // overwrites the field in Go); null if not given (then zero).
        constexpr std::size_t kOnStack = 16;
        const json::value* on_stack[kOnStack] = {};
        std::vector<const json::value*> on_heap;
        const json::value** given = on_stack;
        if (s.fields.size() > kOnStack) {
            on_heap.assign(s.fields.size(), nullptr);
            given = on_heap.data();
        }
        if (v.is_array()) {
            const auto& a = v.get_array();
            // Every field, as Go's callers give every argument: a short
            // array is a mistake (`7` for Args{A, B}), not B = 0.
            if (a.size() != s.fields.size())
                return fail("expected " + std::to_string(s.fields.size()) + " positional values for " + s.name +
                            ", got " + std::to_string(a.size()));
            for (std::size_t i = 0; i < a.size(); ++i) given[i] = &a[i];
        } else {
            for (const auto& kv : v.get_object()) {
                int i = s.field_index(kv.key());
                if (i >= 0) given[i] = &kv.value();
            }
        }
        if constexpr (kText) {
            out += '{';
            for (std::size_t i = 0; i < s.fields.size(); ++i) {
                auto at = field(s.fields[i].name);
                if (i) out += ',';
                out += s.fields[i].json_key;
                if (given[i]) {
                    if (!run(*given[i], *s.fields[i].type, out, depth + 1)) return false;
                } else {
                    emit(out, zero_value(*s.fields[i].type));
                }
            }
            out += '}';
        } else {
            json::object& o = out.emplace_object();
            o.reserve(s.fields.size());
            for (std::size_t i = 0; i < s.fields.size(); ++i) {
                auto at = field(s.fields[i].name);
                if (given[i]) {
                    if (!run(*given[i], *s.fields[i].type, o[s.fields[i].name], depth + 1)) return false;
                } else {
                    o[s.fields[i].name] = zero_value(*s.fields[i].type);
                }
            }
        }
        return true;
    }
};

} // namespace

std::string normalize_into(const json::value& v, const Schema& s, json::value& out, NormalizeOptions opt) {
    Normalizer<json::value> n;
    n.opt = opt;
    if (!n.run(v, s, out, 0)) {
        out = nullptr;
        return std::move(n.error);
    }
    return {};
}

std::string normalize_text(const json::value& v, const Schema& s, std::string& out, NormalizeOptions opt) {
    Normalizer<std::string> n;
    n.opt = opt;
    if (!n.run(v, s, out, 0)) return std::move(n.error);
    return {};
}

NormalizeResult normalize(const json::value& v, const Schema& s, NormalizeOptions opt) {
    NormalizeResult r;
    r.error = normalize_into(v, s, r.value, opt);
    return r;
}

} // namespace plugrpc
