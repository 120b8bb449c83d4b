// plugrpc SDK: values written as the text that crosses the plugin ABI
// (abi.h, "Values as text"), in one of two forms:
//
//   Extended   what plugins of ABI 1.2 and later read and write: JSON, plus
//              the bare tokens NaN, Infinity and -Infinity for floats, and a
//              byte of a string that is not part of valid UTF-8 as a lone
//              surrogate escape, byte 0xXX as \udcXX (0x80..0xff; Python's
//              "surrogateescape"), which valid UTF-8 never produces.
//   Standard   RFC 8259 JSON for older plugins: such a byte is written as
//              U+FFFD (what they were always given); a non-finite float has
//              no text (null): callers refuse those values first.
//
// Both write -0 as -0.0 (a JSON reader takes -0 for the integer 0), other
// floats in their shortest text that reads back the same double, and
// valid UTF-8 as it is. A string that is printable ASCII with no quote or
// backslash, the usual one, is copied in one step.
#pragma once

#include <plugrpc/utf8.hpp>

#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace plugrpc {

enum class TextForm : std::uint8_t { Extended, Standard };

namespace detail {

// True when `s` can be written between quotes as it is.
inline bool plain_text(std::string_view s) {
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) return false;
    }
    return true;
}

inline void append_escape(std::string& out, unsigned code) {
    static constexpr char kHex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', kHex[(code >> 12) & 15], kHex[(code >> 8) & 15], kHex[(code >> 4) & 15], kHex[code & 15]};
    out.append(e, sizeof e);
}

} // namespace detail

// A string, quoted and escaped.
inline void append_json_string(std::string& out, std::string_view s, TextForm form) {
    out += '"';
    if (detail::plain_text(s)) {
        out.append(s.data(), s.size());
        out += '"';
        return;
    }
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            std::size_t n = utf8_sequence_length(s.substr(i));
            if (n != 0) {
                out.append(s.data() + i, n);
                i += n;
                continue;
            }
            if (form == TextForm::Extended) detail::append_escape(out, 0xdc00u + c);
            else out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) detail::append_escape(out, c);
            else out += static_cast<char>(c);
        }
        ++i;
    }
    out += '"';
}

// A float64 (a float32 is written as the double it converts to).
inline void append_json_double(std::string& out, double d, TextForm form) {
    if (!std::isfinite(d)) {
        if (form == TextForm::Standard) out += "null";
        else if (std::isnan(d)) out += "NaN";
        else out += d > 0 ? "Infinity" : "-Infinity";
        return;
    }
    if (d == 0) {
        out += std::signbit(d) ? "-0.0" : "0.0";
        return;
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

template <class Int>
void append_json_integer(std::string& out, Int i) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, i);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

// A whole value. Its depth is bounded by whoever built it.
inline void append_json_text(std::string& out, const boost::json::value& v, TextForm form) {
    switch (v.kind()) {
    case boost::json::kind::null: out += "null"; return;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case boost::json::kind::int64: append_json_integer(out, v.get_int64()); return;
    case boost::json::kind::uint64: append_json_integer(out, v.get_uint64()); return;
    case boost::json::kind::double_: append_json_double(out, v.get_double(), form); return;
    case boost::json::kind::string: {
        const auto& s = v.get_string();
        append_json_string(out, std::string_view(s.data(), s.size()), form);
        return;
    }
    case boost::json::kind::array: {
        char sep = '[';
        for (const auto& e : v.get_array()) {
            out += sep;
            sep = ',';
            append_json_text(out, e, form);
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
            append_json_string(out, std::string_view(kv.key().data(), kv.key().size()), form);
            out += ':';
            append_json_text(out, kv.value(), form);
        }
        if (sep == '{') out += '{';
        out += '}';
        return;
    }
    }
}

} // namespace plugrpc
