#include "wire/jsonrpc/go_strings.hpp"

#include <plugrpc/utf8.hpp>

namespace plugrpc::jsonrpc {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The code unit of the escape \uXXXX at the front of `s`; -1 if there is none
// (Go's getu4).
int escape_at(std::string_view s) {
    if (s.size() < 6 || s[0] != '\\' || s[1] != 'u') return -1;
    int u = 0;
    for (std::size_t i = 2; i < 6; ++i) {
        int d = hex_digit(s[i]);
        if (d < 0) return -1;
        u = u * 16 + d;
    }
    return u;
}

bool high_surrogate(int u) { return u >= 0xd800 && u <= 0xdbff; }
bool low_surrogate(int u) { return u >= 0xdc00 && u <= 0xdfff; }

} // namespace

bool rewrite_go_strings(std::string_view text, std::string& out) {
    out.reserve(out.size() + text.size());
    bool changed = false;
    bool in_string = false;
    std::size_t i = 0;
    while (i < text.size()) {
        std::string_view rest = text.substr(i);
        char c = rest[0];
        if (!in_string) {
            in_string = c == '"';
            out += c;
            ++i;
            continue;
        }
        if (c == '"') {
            in_string = false;
            out += c;
            ++i;
        } else if (c == '\\') {
            int u = escape_at(rest);
            if (u >= 0 && (high_surrogate(u) || low_surrogate(u))) {
                if (high_surrogate(u) && low_surrogate(escape_at(rest.substr(6)))) {
                    out.append(rest.substr(0, 12)); // a pair: one code point
                    i += 12;
                } else {
                    out += "\\ufffd";
                    changed = true;
                    i += 6;
                }
            } else {
                // Any other escape, valid or not, as it is: two bytes, so that
                // \" and \\ are never taken for the end of the string.
                std::size_t n = rest.size() < 2 ? rest.size() : 2;
                out.append(rest.substr(0, n));
                i += n;
            }
        } else if (static_cast<unsigned char>(c) < 0x80) {
            out += c;
            ++i;
        } else if (std::size_t n = utf8_sequence_length(rest)) {
            out.append(rest.substr(0, n));
            i += n;
        } else {
            out += "\xEF\xBF\xBD";
            changed = true;
            ++i;
        }
    }
    return changed;
}

} // namespace plugrpc::jsonrpc
