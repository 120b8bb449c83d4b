// HTTP responses are formatted by hand (http/response_text): byte for byte
// what Beast's serializer writes for the same message, which is what the
// daemon sent before.
#include "server/http/response_text.hpp"

#include <catch2/catch.hpp>

#include <boost/beast/http.hpp>

#include <sstream>

// Each file in its own namespace: unity builds compile several together.
namespace unit_http_response_text {

namespace http = boost::beast::http;
using plugrpc::ResponseHead;

namespace {

// The message as HttpSession built it with Beast, serialised by Beast.
std::string beast_bytes(const ResponseHead& h, const std::string& body) {
    http::response<http::string_body> res(h.status, h.version);
    res.set(http::field::server, "plugrpcd/" PLUGRPC_VERSION);
    if (!h.content_type.empty()) res.set(http::field::content_type, h.content_type);
    if (h.allow) res.set(http::field::allow, h.allow);
    res.keep_alive(h.keep_alive);
    res.body() = body;
    res.prepare_payload();
    std::ostringstream os;
    os << res;
    std::string bytes = os.str();
    // Beast writes Content-Length: 0 on a 204; RFC 9110 8.6 says a server
    // MUST NOT, and the daemon does not.
    if (h.status == http::status::no_content)
        if (auto at = bytes.find("Content-Length: 0\r\n"); at != std::string::npos) bytes.erase(at, 19);
    return bytes;
}

std::string ours(const ResponseHead& h, const std::string& body) {
    std::string out = "kept:"; // appended to what is there
    plugrpc::append_response(out, h, body);
    REQUIRE(out.substr(0, 5) == "kept:");
    return out.substr(5);
}

} // namespace

TEST_CASE("http responses: the hand-formatted bytes equal Beast's for every shape the daemon sends", "[http]") {
    const http::status statuses[] = {http::status::ok,
                                     http::status::no_content,
                                     http::status::bad_request,
                                     http::status::forbidden,
                                     http::status::not_found,
                                     http::status::method_not_allowed,
                                     http::status::payload_too_large,
                                     http::status::request_header_fields_too_large};
    int compared = 0;
    for (unsigned version : {10u, 11u})
        for (http::status status : statuses)
            for (bool keep_alive : {true, false})
                for (const char* allow : {static_cast<const char*>(nullptr), "POST, CONNECT"})
                    for (const char* type : {"", "application/json", "text/plain; charset=utf-8"})
                        for (std::string body : {std::string(), std::string("{\"jsonrpc\":\"2.0\",\"result\":56,\"id\":1}\n")}) {
                            if (status == http::status::no_content && !body.empty()) continue; // Beast refuses it
                            ResponseHead h;
                            h.version = version;
                            h.status = status;
                            h.content_type = type;
                            h.allow = allow;
                            h.keep_alive = keep_alive;
                            INFO("HTTP/" << version << " " << static_cast<unsigned>(status) << " keep-alive "
                                         << keep_alive << " allow " << (allow ? allow : "-") << " type '" << type
                                         << "' body " << body.size());
                            CHECK(ours(h, body) == beast_bytes(h, body));
                            ++compared;
                        }
    CHECK(compared == 2 * 8 * 2 * 2 * 3 * 2 - 2 * 2 * 2 * 3); // every shape but a 204 with a body
}

TEST_CASE("http responses: a large body is counted and copied whole", "[http]") {
    ResponseHead h;
    std::string body(1 << 20, 'x');
    std::string out;
    plugrpc::append_response(out, h, body);
    CHECK(out.find("Content-Length: 1048576\r\n\r\n") != std::string::npos);
    CHECK(out.size() == out.find("\r\n\r\n") + 4 + body.size());
}

} // namespace unit_http_response_text
