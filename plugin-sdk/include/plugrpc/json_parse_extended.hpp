// plugrpc SDK: reading the extended text form (json_write.hpp, abi.h
// "Values as text"): JSON, plus the bare tokens NaN, Infinity and
// -Infinity, and lone surrogate escapes \udc80..\udcff, each the byte
// 0x80..0xff it stands for. Bytes that are not UTF-8 are taken as they
// are; any other lone surrogate escape is U+FFFD (as Go's encoding/json
// reads it).
//
// Numbers are read as Boost.JSON reads them: an integer literal that fits
// int64 is one, else one that fits uint64, else a double (correctly
// rounded); a double past the range is infinity. Objects keep the last of
// repeated keys.
//
// Only text a standard parse refused comes here, so it need not be fast.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

namespace plugrpc {

namespace detail {

class ExtendedParser {
public:
    ExtendedParser(std::string_view text, std::size_t max_depth)
        : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

    bool document(boost::json::value& out) {
        skip_space();
        if (!value(out, 0)) return false;
        skip_space();
        return p_ == end_ || fail("text after the value");
    }

    std::string error;

private:
    bool fail(const char* why) {
        if (error.empty()) error = std::string(why) + " at offset " + std::to_string(p_ - begin_);
        return false;
    }
    void skip_space() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }
    bool word(std::string_view w) {
        if (static_cast<std::size_t>(end_ - p_) < w.size() || std::string_view(p_, w.size()) != w) return false;
        p_ += w.size();
        return true;
    }
    static bool digit(char c) { return c >= '0' && c <= '9'; }

    bool value(boost::json::value& out, std::size_t depth) {
        if (p_ == end_) return fail("unexpected end of text");
        switch (*p_) {
        case '{': return object(out, depth);
        case '[': return array(out, depth);
        case '"': {
            std::string s;
            if (!string(s)) return false;
            out.emplace_string().assign(s.data(), s.size());
            return true;
        }
        case 't':
            if (word("true")) return out.emplace_bool() = true, true;
            break;
        case 'f':
            if (word("false")) return out.emplace_bool() = false, true;
            break;
        case 'n':
            if (word("null")) return out.emplace_null(), true;
            break;
        case 'N':
            if (word("NaN")) return out.emplace_double() = std::numeric_limits<double>::quiet_NaN(), true;
            break;
        case 'I':
            if (word("Infinity")) return out.emplace_double() = std::numeric_limits<double>::infinity(), true;
            break;
        case '-':
            if (word("-Infinity")) return out.emplace_double() = -std::numeric_limits<double>::infinity(), true;
            return number(out);
        default:
            if (digit(*p_)) return number(out);
        }
        return fail("unexpected character");
    }

    bool object(boost::json::value& out, std::size_t depth) {
        if (depth >= max_depth_) return fail("nested too deep");
        ++p_;
        boost::json::object& o = out.emplace_object();
        skip_space();
        if (p_ != end_ && *p_ == '}') return ++p_, true;
        for (;;) {
            skip_space();
            std::string key;
            if (p_ == end_ || *p_ != '"') return fail("expected a key");
            if (!string(key)) return false;
            skip_space();
            if (p_ == end_ || *p_ != ':') return fail("expected ':'");
            ++p_;
            skip_space();
            boost::json::value& slot = o[boost::json::string_view(key.data(), key.size())];
            if (!value(slot, depth + 1)) return false;
            skip_space();
            if (p_ != end_ && *p_ == ',') { ++p_; continue; }
            if (p_ != end_ && *p_ == '}') return ++p_, true;
            return fail("expected ',' or '}'");
        }
    }

    bool array(boost::json::value& out, std::size_t depth) {
        if (depth >= max_depth_) return fail("nested too deep");
        ++p_;
        boost::json::array& a = out.emplace_array();
        skip_space();
        if (p_ != end_ && *p_ == ']') return ++p_, true;
        for (;;) {
            skip_space();
            if (!value(a.emplace_back(nullptr), depth + 1)) return false;
            skip_space();
            if (p_ != end_ && *p_ == ',') { ++p_; continue; }
            if (p_ != end_ && *p_ == ']') return ++p_, true;
            return fail("expected ',' or ']'");
        }
    }

    bool number(boost::json::value& out) {
        const char* b = p_;
        bool integer = true;
        if (*p_ == '-') ++p_;
        if (p_ == end_ || !digit(*p_)) return fail("expected a digit");
        if (*p_ == '0') ++p_;
        else while (p_ != end_ && digit(*p_)) ++p_;
        if (p_ != end_ && *p_ == '.') {
            integer = false;
            ++p_;
            if (p_ == end_ || !digit(*p_)) return fail("expected a digit");
            while (p_ != end_ && digit(*p_)) ++p_;
        }
        if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
            integer = false;
            ++p_;
            if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (p_ == end_ || !digit(*p_)) return fail("expected a digit");
            while (p_ != end_ && digit(*p_)) ++p_;
        }
        if (integer) {
            std::int64_t i = 0;
            if (auto r = std::from_chars(b, p_, i); r.ec == std::errc() && r.ptr == p_)
                return out.emplace_int64() = i, true;
            std::uint64_t u = 0;
            if (auto r = std::from_chars(b, p_, u); r.ec == std::errc() && r.ptr == p_)
                return out.emplace_uint64() = u, true;
        }
        double d = 0;
        auto r = std::from_chars(b, p_, d);
        if (r.ec == std::errc::result_out_of_range) d = std::strtod(std::string(b, p_).c_str(), nullptr);
        out.emplace_double() = d;
        return true;
    }

    bool hex4(unsigned& code) {
        if (end_ - p_ < 4) return fail("expected four hex digits");
        code = 0;
        for (int i = 0; i < 4; ++i) {
            char c = *p_++;
            unsigned h = c >= '0' && c <= '9' ? unsigned(c - '0')
                         : c >= 'a' && c <= 'f' ? unsigned(c - 'a' + 10)
                         : c >= 'A' && c <= 'F' ? unsigned(c - 'A' + 10)
                                                : 16u;
            if (h == 16) return fail("expected four hex digits");
            code = code << 4 | h;
        }
        return true;
    }

    static void append_utf8(std::string& s, unsigned cp) {
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else if (cp < 0x800) {
            s += static_cast<char>(0xc0 | cp >> 6);
            s += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            s += static_cast<char>(0xe0 | cp >> 12);
            s += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
            s += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            s += static_cast<char>(0xf0 | cp >> 18);
            s += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
            s += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
            s += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    // \uXXXX, its backslash and u already read.
    bool unicode_escape(std::string& s) {
        unsigned cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xd800 && cp <= 0xdbff && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
            const char* at = p_;
            p_ += 2;
            unsigned low = 0;
            if (!hex4(low)) return false;
            if (low >= 0xdc00 && low <= 0xdfff) {
                append_utf8(s, 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00));
                return true;
            }
            p_ = at; // not a pair: the high one stands alone
        }
        if (cp >= 0xdc80 && cp <= 0xdcff) s += static_cast<char>(cp - 0xdc00); // a byte that is not UTF-8
        else if (cp >= 0xd800 && cp <= 0xdfff) s += "\xEF\xBF\xBD";
        else append_utf8(s, cp);
        return true;
    }

    bool string(std::string& s) {
        ++p_; // the opening quote
        for (;;) {
            if (p_ == end_) return fail("unterminated string");
            auto c = static_cast<unsigned char>(*p_);
            if (c == '"') return ++p_, true;
            if (c < 0x20) return fail("control character in a string");
            if (c != '\\') {
                s += static_cast<char>(c);
                ++p_;
                continue;
            }
            if (++p_ == end_) return fail("unterminated string");
            switch (*p_++) {
            case '"': s += '"'; break;
            case '\\': s += '\\'; break;
            case '/': s += '/'; break;
            case 'b': s += '\b'; break;
            case 'f': s += '\f'; break;
            case 'n': s += '\n'; break;
            case 'r': s += '\r'; break;
            case 't': s += '\t'; break;
            case 'u':
                if (!unicode_escape(s)) return false;
                break;
            default: return fail("unknown escape");
            }
        }
    }

    const char* begin_;
    const char* p_;
    const char* end_;
    std::size_t max_depth_;
};

} // namespace detail

// The value of `text` in the extended form, built in `sp`; null with the
// reason in `error` when it is not.
inline boost::json::value parse_extended_json(std::string_view text, std::string& error,
                                              boost::json::storage_ptr sp = {}, std::size_t max_depth = 64) {
    boost::json::value v(std::move(sp));
    detail::ExtendedParser p(text, max_depth);
    if (p.document(v)) return v;
    error = std::move(p.error);
    return boost::json::value(v.storage());
}

} // namespace plugrpc
