// JSON text appended to a caller's buffer, with no temporary string.
//
// Integers, plain strings, booleans, null, arrays and objects are written
// here directly; doubles and strings that need escapes go through
// Boost.JSON's serializer, so the text is byte for byte what
// boost::json::serialize() gives.
#pragma once

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <string>

namespace plugrpc {

namespace detail {
// Drain `sr` into the free capacity of `out`, growing it as needed.
inline void append_serialized(std::string& out, boost::json::serializer& sr) {
    while (!sr.done()) {
        std::size_t at = out.size();
        std::size_t room = out.capacity() - at;
        if (room < 64) room = at + 256;
        out.resize(at + room);
        std::size_t n = sr.read(out.data() + at, room).size();
        out.resize(at + n);
    }
}

// True when `s` can be written between quotes as it is.
inline bool plain_string(boost::json::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == '"' || c == '\\') return false;
    return true;
}

} // namespace detail

// An integer in decimal (JSON's, and HTTP's Content-Length).
template <class Int>
void append_integer(std::string& out, Int i) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, i);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf)); // not (first, last): that goes through replace()
}

// A string, quoted and escaped.
inline void append_json(std::string& out, boost::json::string_view s) {
    if (detail::plain_string(s)) {
        out += '"';
        out.append(s.data(), s.size());
        out += '"';
        return;
    }
    boost::json::serializer sr;
    sr.reset(s);
    detail::append_serialized(out, sr);
}

// Depth is bounded by whoever built `v` (parsers and decoders refuse deep values).
inline void append_json(std::string& out, const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::null: out += "null"; return;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case boost::json::kind::int64: append_integer(out, v.get_int64()); return;
    case boost::json::kind::uint64: append_integer(out, v.get_uint64()); return;
    case boost::json::kind::string: append_json(out, boost::json::string_view(v.get_string())); return;
    case boost::json::kind::array: {
        char sep = '[';
        for (const auto& e : v.get_array()) {
            out += sep;
            sep = ',';
            append_json(out, e);
        }
        if (sep == '[') out += '[';
        out += ']';
        return;
    }
    case boost::json::kind::object: {
        char sep = '{';
        for (const auto& kv : v.get_object()) {
            out += sep;
            sep = ',';
            append_json(out, kv.key());
            out += ':';
            append_json(out, kv.value());
        }
        if (sep == '{') out += '{';
        out += '}';
        return;
    }
    case boost::json::kind::double_: break;
    }
    boost::json::serializer sr;
    sr.reset(&v);
    detail::append_serialized(out, sr);
}

} // namespace plugrpc
