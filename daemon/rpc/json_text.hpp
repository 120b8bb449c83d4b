// JSON text appended to a caller's buffer, with no temporary string.
#pragma once

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

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
} // namespace detail

inline void append_json(std::string& out, const boost::json::value& v) {
    boost::json::serializer sr;
    sr.reset(&v);
    detail::append_serialized(out, sr);
}

// A string, quoted and escaped.
inline void append_json(std::string& out, boost::json::string_view s) {
    boost::json::serializer sr;
    sr.reset(s);
    detail::append_serialized(out, sr);
}

} // namespace plugrpc
