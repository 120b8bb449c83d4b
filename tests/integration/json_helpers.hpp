// Small JSON helpers for the integration tests.
#pragma once

#include "daemon.hpp"

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace plugrpc::test {

// Parse `text`; a HarnessError quoting it when it is not JSON.
inline boost::json::value parse_json(std::string_view text) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    if (ec) throw HarnessError("not JSON (" + ec.message() + "): " + std::string(text));
    return v;
}

// Send one JSON value with a newline and read the one-line reply.
inline std::string call_line(Connection& c, std::string_view request, Millis timeout = 5s) {
    c.send_line(request);
    return c.recv_line(timeout);
}

// The member `key` of the object `v` (a HarnessError if there is none).
inline const boost::json::value& member(const boost::json::value& v, std::string_view key) {
    const boost::json::object* o = v.if_object();
    const boost::json::value* m = o ? o->if_contains(key) : nullptr;
    if (!m) throw HarnessError("no member \"" + std::string(key) + "\" in " + boost::json::serialize(v));
    return *m;
}

inline bool has_member(const boost::json::value& v, std::string_view key) {
    return v.is_object() && v.as_object().contains(key);
}

} // namespace plugrpc::test
