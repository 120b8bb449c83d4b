// plugrpc SDK: JSON text read straight into a C++ type, for the shapes
// arguments usually have, with no JSON value built on the way.
//
// json_read(text, T&) handles described structs, integers, booleans, plain
// strings (ASCII, no escapes), std::vector and std::array of those. On
// anything else (a float, an escape, a map, null, a key T does not have, a
// key twice, a number past T's range, -0, bad JSON) it declines: it returns
// false and the caller parses the text the full way (json.hpp:
// json_parse_into does), which gives the same result or the reason it does
// not fit. Fields it did write before declining are written again by the
// full way, which writes every field the text names.
//
// The host hands a handler its arguments checked and normalised, so this is
// the path a call takes; the full one stays the reference.
#pragma once

#include <plugrpc/json_scan.hpp>

#include <boost/describe.hpp>
#include <boost/mp11.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace plugrpc {
namespace detail {

template <class T> struct is_std_vector : std::false_type {};
template <class T, class A> struct is_std_vector<std::vector<T, A>> : std::true_type {};
template <class T> struct is_std_array : std::false_type {};
template <class T, std::size_t N> struct is_std_array<std::array<T, N>> : std::true_type {};

class TextReader {
public:
    explicit TextReader(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

    template <class T>
    bool document(T& out) {
        return value(out) && (skip_space(), p_ == end_);
    }

private:
    void skip_space() { json_scan::skip_space(p_, end_); }
    bool take(char c) {
        skip_space();
        if (p_ == end_ || *p_ != c) return false;
        ++p_;
        return true;
    }
    bool peek(char c) {
        skip_space();
        return p_ != end_ && *p_ == c;
    }

    // A string of printable ASCII with no escape: its bytes.
    bool plain_string(std::string_view& s) { return take('"') && json_scan::plain_string_rest(p_, end_, s); }

    // An integer literal (no fraction, no exponent, not -0) that fits T.
    template <class T>
    bool integer(T& out) {
        skip_space();
        return json_scan::integer(p_, end_, out);
    }

    bool literal(std::string_view word) {
        skip_space();
        if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
            return false;
        p_ += word.size();
        return true;
    }

    template <class T>
    bool value(T& out) {
        if constexpr (std::is_same_v<T, bool>) {
            if (literal("true")) return out = true, true;
            if (literal("false")) return out = false, true;
            return false;
        } else if constexpr (std::is_integral_v<T>) {
            return integer(out);
        } else if constexpr (std::is_same_v<T, std::string>) {
            std::string_view s;
            if (!plain_string(s)) return false;
            out.assign(s.data(), s.size());
            return true;
        } else if constexpr (is_std_vector<T>::value && !std::is_same_v<T, std::vector<std::uint8_t>>) {
            // As the full way does: element i of the text into element i,
            // then the vector cut to the text's length.
            if (!take('[')) return false;
            std::size_t n = 0;
            if (!take(']')) {
                do {
                    if (n == out.size()) out.emplace_back();
                    if (!value(out[n++])) return false;
                } while (take(','));
                if (!take(']')) return false;
            }
            out.resize(n);
            return true;
        } else if constexpr (is_std_array<T>::value) {
            if (!take('[')) return false;
            if (take(']')) return true;
            std::size_t i = 0;
            do {
                if (i == out.size() || !value(out[i++])) return false;
            } while (take(','));
            return take(']');
        } else if constexpr (boost::describe::has_describe_members<T>::value) {
            return structure(out);
        } else {
            return false; // floats, maps, bytes, anything else: the full way
        }
    }

    template <class T>
    bool structure(T& out) {
        using Members = boost::describe::describe_members<T, boost::describe::mod_public>;
        constexpr std::size_t count = boost::mp11::mp_size<Members>::value;
        if constexpr (count > 64) return false; // past the bit set of fields seen
        if (!take('{')) return false;
        if (take('}')) return true;
        std::uint64_t seen = 0;
        do {
            std::string_view key;
            if (!plain_string(key) || !take(':')) return false;
            bool ok = false, found = false;
            std::size_t index = 0;
            boost::mp11::mp_for_each<Members>([&](auto D) {
                if (!found && key == D.name) {
                    found = true;
                    if (!(seen >> index & 1)) {
                        seen |= std::uint64_t(1) << index;
                        ok = value(out.*D.pointer);
                    }
                }
                ++index;
            });
            if (!ok) return false; // unknown, repeated, or a value read the full way
        } while (take(','));
        return take('}');
    }

    const char* p_;
    const char* end_;
};

} // namespace detail

template <class T>
bool json_read(std::string_view text, T& out) {
    return detail::TextReader(text).document(out);
}

} // namespace plugrpc
