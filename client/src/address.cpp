#include <plugrpc/client/options.hpp>

namespace plugrpc::client {

bool parse_address(std::string_view text, Address& out, std::string& why) {
    out = Address{};
    if (text.rfind("unix:", 0) == 0) {
        std::string_view path = text.substr(5);
        if (path.rfind("//", 0) == 0) path.remove_prefix(2); // unix:///run/x.sock
        if (path.empty()) return why = "unix: needs a socket path (unix:/run/plugrpcd.sock)", false;
        out.unix_socket = true;
        out.path = std::string(path);
        return true;
    }
    if (text.rfind("tcp://", 0) == 0) text.remove_prefix(6);
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == text.size())
        return why = "address " + std::string(text) + " lacks a port (HOST:PORT or unix:/PATH)", false;
    std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (port.find_first_not_of("0123456789") != std::string_view::npos)
        return why = "address " + std::string(text) + ": port " + std::string(port) + " is not a number", false;
    out.host = host.empty() ? "127.0.0.1" : std::string(host);
    out.port = std::string(port);
    return true;
}

} // namespace plugrpc::client
