// The bytes of an HTTP response as the daemon sends it: written straight
// into the session's output buffer, byte for byte what Beast's serializer
// gives for the same message (tests/unit/http_response_text_test.cpp holds
// the two side by side), without building a message and its fields.
//
//   HTTP/1.1 200 OK\r\n
//   Server: plugrpcd/<version>\r\n
//   Content-Type: <content_type>\r\n      (when not empty)
//   Allow: <allow>\r\n                    (when given)
//   Connection: close|keep-alive\r\n      (as Beast's keep_alive() sets it for the version)
//   Content-Length: <body size>\r\n
//   \r\n
//   <body>
#pragma once

#include <ostream> // boost/beast/http/status.hpp needs it first

#include <boost/beast/http/status.hpp>

#include <string>
#include <string_view>

namespace plugrpc {

struct ResponseHead {
    unsigned version = 11; // as the request's: 10 for HTTP/1.0, 11 for HTTP/1.1
    boost::beast::http::status status = boost::beast::http::status::ok;
    std::string_view content_type; // empty: no Content-Type
    const char* allow = nullptr;   // the Allow header, if any
    bool keep_alive = true;
};

void append_response(std::string& out, const ResponseHead& head, std::string_view body);

} // namespace plugrpc
