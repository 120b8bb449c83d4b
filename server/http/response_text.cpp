#include "server/http/response_text.hpp"

#include "wire/json_text.hpp"

namespace plugrpc {

void append_response(std::string& out, const ResponseHead& head, std::string_view body) {
    out += "HTTP/";
    append_integer(out, head.version / 10);
    out += '.';
    append_integer(out, head.version % 10);
    out += ' ';
    append_integer(out, static_cast<unsigned>(head.status));
    out += ' ';
    auto reason = boost::beast::http::obsolete_reason(head.status);
    out.append(reason.data(), reason.size());
    out += "\r\nServer: plugrpcd/" PLUGRPC_VERSION "\r\n";
    if (!head.content_type.empty()) {
        out += "Content-Type: ";
        out += head.content_type;
        out += "\r\n";
    }
    if (head.allow) {
        out += "Allow: ";
        out += head.allow;
        out += "\r\n";
    }
    // Beast's keep_alive(): HTTP/1.1 says only "close", HTTP/1.0 only "keep-alive".
    if (head.version < 11 && head.keep_alive) out += "Connection: keep-alive\r\n";
    if (head.version >= 11 && !head.keep_alive) out += "Connection: close\r\n";
    // RFC 9110 8.6: no Content-Length in a 204 (nor a body).
    if (head.status == boost::beast::http::status::no_content) {
        out += "\r\n";
        return;
    }
    out += "Content-Length: ";
    append_integer(out, body.size());
    out += "\r\n\r\n";
    out += body;
}

} // namespace plugrpc
