// Base64 (standard alphabet, padded): how JSON carries []byte, as Go's
// encoding/json does. Header-only; used by plugins and by the daemon.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace plugrpc {

namespace detail {

inline constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<signed char, 256> make_table() {
    std::array<signed char, 256> t{};
    for (auto& c : t) c = -1;
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
    return t;
}
inline constexpr auto kTable = make_table();

} // namespace detail

inline std::string base64_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += detail::kAlphabet[v >> 18];
        out += detail::kAlphabet[(v >> 12) & 63];
        out += detail::kAlphabet[(v >> 6) & 63];
        out += detail::kAlphabet[v & 63];
    }
    if (std::size_t rest = in.size() - i) {
        unsigned v = (unsigned char)in[i] << 16 | (rest == 2 ? (unsigned char)in[i + 1] << 8 : 0);
        out += detail::kAlphabet[v >> 18];
        out += detail::kAlphabet[(v >> 12) & 63];
        out += rest == 2 ? detail::kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

inline bool base64_decode(std::string_view in, std::string& out) {
    out.clear();
    if (in.size() % 4 != 0) return false;
    out.reserve(in.size() / 4 * 3);
    for (std::size_t i = 0; i < in.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int j = 0; j < 4; ++j) {
            char c = in[i + j];
            if (c == '=' && i + 4 == in.size() && j >= 2) { v[j] = 0; ++pad; continue; }
            if (pad) return false; // data after padding
            v[j] = detail::kTable[static_cast<unsigned char>(c)];
            if (v[j] < 0) return false;
        }
        unsigned n = unsigned(v[0]) << 18 | unsigned(v[1]) << 12 | unsigned(v[2]) << 6 | unsigned(v[3]);
        out += char(n >> 16);
        if (pad < 2) out += char((n >> 8) & 0xff);
        if (pad < 1) out += char(n & 0xff);
    }
    return true;
}

inline bool base64_valid(std::string_view text) {
    std::string scratch;
    return base64_decode(text, scratch);
}

} // namespace plugrpc
