// JSON text appended to a caller's buffer, with no temporary string.
#pragma once

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace plugrpc {

inline void append_json(std::string& out, const boost::json::value& v) {
    boost::json::serializer sr;
    sr.reset(&v);
    while (!sr.done()) {
        std::size_t at = out.size();
        std::size_t room = out.capacity() - at;
        if (room < 64) room = at + 256;
        out.resize(at + room);
        std::size_t n = sr.read(out.data() + at, room).size();
        out.resize(at + n);
    }
}

inline void append_json(std::string& out, boost::json::string_view s) {
    boost::json::serializer sr;
    sr.reset(s);
    while (!sr.done()) {
        std::size_t at = out.size();
        std::size_t room = out.capacity() - at;
        if (room < 64) room = at + 256;
        out.resize(at + room);
        std::size_t n = sr.read(out.data() + at, room).size();
        out.resize(at + n);
    }
}

} // namespace plugrpc
