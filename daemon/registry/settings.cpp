#include "daemon/registry/settings.hpp"

namespace plugrpc {

namespace {

bool wildcard(const std::string& host) { return host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]"; }

std::string host_port(const std::string& host, unsigned port) {
    bool v6 = host.find(':') != std::string::npos && host.front() != '[';
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

} // namespace

std::string default_advertise(const std::vector<ListenAddress>& listen, std::string& why) {
    for (const auto& l : listen) {
        if (l.kind != ListenAddress::Kind::Tcp) continue;
        if (wildcard(l.host)) {
            why = "needed: the first tcp listener (" + l.text +
                  ") is a wildcard address clients cannot dial; set advertise = \"tcp://HOST:PORT\"";
            return {};
        }
        return host_port(l.host, l.port);
    }
    why = "needed: no tcp:// listener to advertise; set advertise = \"tcp://HOST:PORT\"";
    return {};
}

std::string parse_advertise(const std::string& text, std::string& why) {
    std::string probe = text.starts_with("tcp://") ? text : "tcp://" + text;
    auto a = parse_listen_address(probe, why);
    if (!a) return why = "\"" + text + "\": " + why, std::string{};
    if (a->kind != ListenAddress::Kind::Tcp) return why = "\"" + text + "\": expected tcp://HOST:PORT", std::string{};
    if (wildcard(a->host))
        return why = "\"" + text + "\": a wildcard address clients cannot dial; name this host's address", std::string{};
    if (a->port == 0) return why = "\"" + text + "\": port 0 cannot be dialled", std::string{};
    return host_port(a->host, a->port);
}

} // namespace plugrpc
