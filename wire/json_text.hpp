// JSON text for JSON clients, appended to a caller's buffer with no
// temporary string, spelled as Go's encoding/json writes it (Go 1.19,
// encode.go):
//
//   - floats as floatEncoder does: the shortest text that reads back the
//     same value, in plain decimal (-0, 0.000001, 1e+20 as 100000000000000000000)
//     unless the magnitude is below 1e-6 or from 1e21 on, then with an
//     exponent of at least one digit (1e+21, 1e-7, 5e-324);
//   - strings with every byte that is not part of valid UTF-8 as \ufffd
//     (so map keys that differ only there come out alike, as from Go),
//     U+2028, U+2029 escaped, and <, >, & as \u003c, \u003e, \u0026 (Go's
//     Encoder escapes HTML by default, and its jsonrpc server uses one);
//   - NaN and infinities have no text: callers answer "json: unsupported
//     value" instead (jsonrpc/message.cpp); written here, they would be null.
//
// The text a plugin reads is another form: plugrpc/json_write.hpp.
#pragma once

#include <plugrpc/json_write.hpp>

#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

namespace plugrpc {

// An integer in decimal (JSON's, and HTTP's Content-Length).
template <class Int>
void append_integer(std::string& out, Int i) {
    append_json_integer(out, i);
}

// A float64 (F = double) or a float32 (F = float) as Go's encoding/json
// writes one: strconv's shortest digits for that width, in plain decimal
// or, for the magnitudes above, with an exponent.
template <class F>
void append_go_float_of(std::string& out, F d) {
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific); // 1.25e+02, 1e-07
    std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
    F a = std::fabs(d);
    if (a != 0 && (a < F(1e-6) || a >= F(1e21))) {
        // Go's strconv writes at least two exponent digits (1e-07), then
        // encoding/json drops the padding zero of a negative one: 1e-7.
        std::size_t n = sci.size();
        if (n >= 4 && sci[n - 4] == 'e' && sci[n - 3] == '-' && sci[n - 2] == '0') {
            out.append(sci.data(), n - 2);
            out += sci[n - 1];
        } else {
            out.append(sci.data(), n);
        }
        return;
    }
    // Plain decimal from the same digits, padded with zeros as Go pads
    // them (12345678901234567000, not the 12345678901234567168 printf gives).
    std::size_t e_at = sci.find('e');
    std::string_view mantissa = sci.substr(0, e_at);
    int exp = 0;
    std::from_chars(sci.data() + e_at + (sci[e_at + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp);
    if (mantissa[0] == '-') {
        out += '-';
        mantissa.remove_prefix(1);
    }
    char digits[24];
    std::size_t n = 0;
    for (char c : mantissa)
        if (c != '.') digits[n++] = c;
    if (exp < 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-exp - 1), '0');
        out.append(digits, n);
    } else if (static_cast<std::size_t>(exp) + 1 >= n) {
        out.append(digits, n);
        out.append(static_cast<std::size_t>(exp) + 1 - n, '0');
    } else {
        out.append(digits, static_cast<std::size_t>(exp) + 1);
        out += '.';
        out.append(digits + exp + 1, n - static_cast<std::size_t>(exp) - 1);
    }
}

inline void append_go_float(std::string& out, double d) { append_go_float_of(out, d); }
// A float32 as Go writes one: float32(0.1) is 0.1, not 0.10000000149011612.
inline void append_go_float32(std::string& out, float f) { append_go_float_of(out, f); }

// A string, quoted and escaped as Go's encodeState.string does with
// escapeHTML: a byte that is not part of valid UTF-8 is \ufffd; U+2028,
// U+2029, <, > and & are escaped.
inline void append_go_string(std::string& out, std::string_view s) {
    out += '"';
    std::size_t i = 0, plain = 0; // s[plain, i) is waiting to be copied
    auto flush = [&] { out.append(s.data() + plain, i - plain); };
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80 && c != '<' && c != '>' && c != '&') {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            std::size_t n = utf8_sequence_length(s.substr(i));
            bool separator = n == 3 && c == 0xe2 && s[i + 1] == '\x80' && (s[i + 2] == '\xa8' || s[i + 2] == '\xa9');
            if (n != 0 && !separator) {
                i += n;
                continue;
            }
            flush();
            if (n == 0) out += "\\ufffd", i += 1;
            else out += s[i + 2] == '\xa8' ? "\\u2028" : "\\u2029", i += 3;
            plain = i;
            continue;
        }
        flush();
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: detail::append_escape(out, c);
        }
        plain = ++i;
    }
    flush();
    out += '"';
}
inline void append_json(std::string& out, boost::json::string_view s) {
    append_go_string(out, std::string_view(s.data(), s.size()));
}

// Depth is bounded by whoever built `v` (parsers and decoders refuse deep values).
inline void append_json(std::string& out, const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::double_: append_go_float(out, v.get_double()); return;
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
    case boost::json::kind::string: append_json(out, boost::json::string_view(v.get_string())); return;
    default: append_json_text(out, v, TextForm::Standard); return; // null, booleans, integers
    }
}

} // namespace plugrpc
