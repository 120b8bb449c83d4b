// Helpers for the gob codec tests: byte strings written like NETRPC.md
// shows them, schema builders, and a tiny gob writer for request streams.
#pragma once

#include "wire/gob/decoder.hpp"
#include "wire/gob/types.hpp"
#include "wire/gob/wire.hpp"
#include "wire/schema.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cctype>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gobtest {

using plugrpc::Kind;
using plugrpc::Schema;
using plugrpc::SchemaPtr;
namespace gob = plugrpc::gob;

// "2f ff81 03 \"Request\" 00": hex digits (spaces anywhere between bytes)
// and quoted text, as NETRPC.md writes its vectors.
inline std::string bytes(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        char c = text[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '"') {
            std::size_t end = text.find('"', i + 1);
            if (end == std::string_view::npos) throw std::invalid_argument("unterminated quote");
            out.append(text.substr(i + 1, end - i - 1));
            i = end + 1;
        } else {
            if (i + 1 >= text.size()) throw std::invalid_argument("odd hex digit");
            out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
            i += 2;
        }
    }
    return out;
}

inline std::string hex(std::string_view b) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : b) {
        if (!out.empty()) out.push_back(' ');
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

// ---- schemas -----------------------------------------------------------

inline SchemaPtr make(Kind k, unsigned bits = 64) {
    auto s = std::make_shared<Schema>();
    s->kind = k;
    s->bits = bits;
    return s;
}
inline SchemaPtr boolean() { return make(Kind::Bool); }
inline SchemaPtr integer(unsigned bits = 64) { return make(Kind::Int, bits); }
inline SchemaPtr unsigned_(unsigned bits = 64) { return make(Kind::Uint, bits); }
inline SchemaPtr floating(unsigned bits = 64) { return make(Kind::Float, bits); }
inline SchemaPtr string() { return make(Kind::String); }
inline SchemaPtr byte_string() { return make(Kind::Bytes); }
inline SchemaPtr slice(SchemaPtr elem) {
    auto s = std::make_shared<Schema>();
    s->kind = Kind::Slice;
    s->elem = std::move(elem);
    return s;
}
inline SchemaPtr array(std::uint64_t n, SchemaPtr elem) {
    auto s = std::make_shared<Schema>();
    s->kind = Kind::Array;
    s->length = n;
    s->elem = std::move(elem);
    return s;
}
inline SchemaPtr map(SchemaPtr key, SchemaPtr elem) {
    auto s = std::make_shared<Schema>();
    s->kind = Kind::Map;
    s->key = std::move(key);
    s->elem = std::move(elem);
    return s;
}
inline SchemaPtr structure(std::string name, std::vector<plugrpc::Field> fields) {
    auto s = std::make_shared<Schema>();
    s->kind = Kind::Struct;
    s->name = std::move(name);
    s->fields = std::move(fields);
    return s;
}

// Go's `type Args struct{ A, B int }` as plugrpcd sees it.
inline SchemaPtr args_ab() { return structure("Args", {{"A", integer()}, {"B", integer()}}); }

inline boost::json::value json(std::string_view text) { return boost::json::parse(text); }

// ---- writing request streams ---------------------------------------------

// One message: byte count, then payload.
inline std::string message(std::string_view payload) {
    std::string out;
    gob::put_uint(out, payload.size());
    out.append(payload);
    return out;
}

inline std::string type_definition(gob::TypeId id, const gob::WireType& t) {
    std::string p;
    gob::put_int(p, -static_cast<std::int64_t>(id));
    gob::write_wire_type(p, t);
    return message(p);
}

inline gob::WireType wire_struct(std::string name, std::vector<gob::WireField> fields) {
    gob::WireType t;
    t.kind = gob::WireKind::Struct;
    t.name = std::move(name);
    t.fields = std::move(fields);
    return t;
}
inline gob::WireType wire_slice(gob::TypeId elem, std::string name = "") {
    gob::WireType t;
    t.kind = gob::WireKind::Slice;
    t.name = std::move(name);
    t.elem = elem;
    return t;
}
inline gob::WireType wire_array(gob::TypeId elem, std::int64_t len) {
    gob::WireType t;
    t.kind = gob::WireKind::Array;
    t.elem = elem;
    t.len = len;
    return t;
}
inline gob::WireType wire_map(gob::TypeId key, gob::TypeId elem) {
    gob::WireType t;
    t.kind = gob::WireKind::Map;
    t.key = key;
    t.elem = elem;
    return t;
}

// The first request header of a Go client: the Request type (id 65) and
// Request{method, seq}.
inline std::string request_header(std::string_view method, std::uint64_t seq, bool define = true) {
    std::string out;
    if (define)
        out += type_definition(65, wire_struct("Request", {{"ServiceMethod", gob::kString}, {"Seq", gob::kUint}}));
    std::string p;
    gob::put_int(p, 65);
    p += "\x01";
    gob::put_string(p, method);
    if (seq) {
        p += "\x01";
        gob::put_uint(p, seq);
    }
    p.push_back(0);
    return out + message(p);
}

// A struct value of wire type `id` from (field number, encoded value) pairs.
inline std::string struct_value(gob::TypeId id, std::vector<std::pair<int, std::string>> fields) {
    std::string p;
    gob::put_int(p, id);
    int last = -1;
    for (auto& [n, v] : fields) {
        gob::put_uint(p, static_cast<std::uint64_t>(n - last));
        last = n;
        p += v;
    }
    p.push_back(0);
    return message(p);
}

inline std::string enc_int(std::int64_t i) {
    std::string s;
    gob::put_int(s, i);
    return s;
}
inline std::string enc_uint(std::uint64_t u) {
    std::string s;
    gob::put_uint(s, u);
    return s;
}
inline std::string enc_string(std::string_view v) {
    std::string s;
    gob::put_string(s, v);
    return s;
}

// Feeds `stream` whole and expects a header, then a body.
inline void expect_request(gob::RequestDecoder& dec, const std::string& stream) {
    dec.feed(stream);
    auto h = dec.next();
    if (h != gob::RequestDecoder::Step::Header)
        throw std::runtime_error("expected a header, got step " + std::to_string(int(h)) + ": " + dec.fatal_error());
    auto b = dec.next();
    if (b != gob::RequestDecoder::Step::Body)
        throw std::runtime_error("expected a body, got step " + std::to_string(int(b)) + ": " + dec.fatal_error());
}

// Decodes one request (header + body) for `schema`.
inline gob::RequestDecoder::BodyResult decode_request(const std::string& stream, const Schema& schema,
                                                      std::size_t limit = 1 << 20) {
    gob::RequestDecoder dec(limit);
    expect_request(dec, stream);
    return dec.body_as(schema);
}

} // namespace gobtest
