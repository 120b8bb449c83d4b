#include "server/jsonrpc/plain_args.hpp"

#include <plugrpc/json_scan.hpp>

#include <cstdint>
#include <limits>

namespace plugrpc {
namespace {

using json_scan::skip_space;

// Structs with more fields take the general path.
constexpr std::size_t kMaxFields = 16;

bool literal(const char*& p, const char* end, std::string_view word) {
    if (static_cast<std::size_t>(end - p) < word.size() || std::string_view(p, word.size()) != word) return false;
    p += word.size();
    return true;
}

int exact_field(const Schema& s, std::string_view name) {
    for (std::size_t i = 0; i < s.fields.size(); ++i)
        if (s.fields[i].name == name) return static_cast<int>(i);
    return -1;
}

bool in_range(std::int64_t v, const Schema& s) {
    if (s.kind == Kind::Uint) return v >= 0 && uint_fits(s, static_cast<std::uint64_t>(v));
    return int_fits(s, v);
}

// One value of a field of kind `s`, its text left in `value`.
bool plain_value(const char*& p, const char* end, const Schema& s, std::string_view& value) {
    const char* begin = p;
    switch (s.kind) {
    case Kind::Int:
    case Kind::Uint: {
        std::int64_t v = 0;
        if (!json_scan::integer(p, end, v) || !in_range(v, s)) return false;
        break;
    }
    case Kind::Bool:
        if (!literal(p, end, "true") && !literal(p, end, "false")) return false;
        break;
    case Kind::String: {
        std::string_view s_;
        if (p == end || *p != '"') return false;
        ++p;
        if (!json_scan::plain_string_rest(p, end, s_)) return false;
        break;
    }
    default: return false;
    }
    value = std::string_view(begin, static_cast<std::size_t>(p - begin));
    return true;
}

// The text normalize_text() writes for a field that was not given.
std::string_view zero_text(const Schema& s) {
    switch (s.kind) {
    case Kind::Int:
    case Kind::Uint: return "0";
    case Kind::Bool: return "false";
    case Kind::String: return "\"\"";
    default: return {};
    }
}

} // namespace

bool normalize_plain_args(std::string_view text, const Schema& s, std::string& out) {
    if (s.kind != Kind::Struct || s.fields.size() > kMaxFields) return false;
    for (const Field& f : s.fields)
        if (zero_text(*f.type).empty()) return false; // a field of a kind read only the general way
    std::string_view given[kMaxFields];
    bool seen[kMaxFields] = {};
    const char* p = text.data();
    const char* end = p + text.size();
    skip_space(p, end);
    if (p == end || *p++ != '{') return false;
    skip_space(p, end);
    if (p != end && *p == '}') {
        ++p;
    } else {
        for (;;) {
            std::string_view key;
            if (p == end || *p++ != '"' || !json_scan::plain_string_rest(p, end, key)) return false;
            skip_space(p, end);
            if (p == end || *p++ != ':') return false;
            skip_space(p, end);
            int i = exact_field(s, key);
            if (i < 0 || seen[i]) return false;
            seen[i] = true;
            if (!plain_value(p, end, *s.fields[static_cast<std::size_t>(i)].type, given[i])) return false;
            skip_space(p, end);
            if (p == end) return false;
            char c = *p++;
            if (c == '}') break;
            if (c != ',') return false;
            skip_space(p, end);
        }
    }
    skip_space(p, end);
    if (p != end) return false;

    out += '{';
    for (std::size_t i = 0; i < s.fields.size(); ++i) {
        if (i) out += ',';
        out += s.fields[i].json_key;
        std::string_view v = seen[i] ? given[i] : zero_text(*s.fields[i].type);
        out.append(v.data(), v.size());
    }
    out += '}';
    return true;
}

} // namespace plugrpc
