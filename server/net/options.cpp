#include <plugrpc/server_options.hpp>

#include <sched.h>
#include <thread>

namespace plugrpc {

unsigned ServerOptions::io_threads() const {
    if (threads) return threads;
    // The CPUs this process may run on (taskset, a cgroup's cpuset), not
    // every CPU of the machine.
    cpu_set_t set;
    if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return static_cast<unsigned>(CPU_COUNT(&set));
    unsigned n = std::thread::hardware_concurrency();
    return n ? n : 1;
}

bool ListenAddress::same_place(const ListenAddress& o) const {
    if (kind != o.kind) return false;
    if (kind == Kind::Unix) return path == o.path;
    if (port != o.port) return false;
    boost::system::error_code e1, e2;
    auto a = boost::asio::ip::make_address(host, e1), b = boost::asio::ip::make_address(o.host, e2);
    return e1 || e2 ? host == o.host : a == b;
}

std::optional<ListenAddress> parse_listen_address(const std::string& text, std::string& why) {
    ListenAddress a;
    a.text = text;
    std::string rest = text;
    if (rest.rfind("unix:", 0) == 0) {
        rest = rest.substr(5);
        if (rest.rfind("//", 0) == 0) rest = rest.substr(2);
        if (rest.empty() || rest[0] != '/') {
            why = "a unix socket needs an absolute path (unix:///run/plugrpcd.sock)";
            return std::nullopt;
        }
        if (rest.size() >= 108) {
            why = "unix socket path longer than 107 bytes";
            return std::nullopt;
        }
        a.kind = ListenAddress::Kind::Unix;
        a.path = rest;
        return a;
    }
    if (rest.rfind("tcp://", 0) == 0) rest = rest.substr(6);
    else if (rest.rfind("tls://", 0) == 0) {
        rest = rest.substr(6);
        a.kind = ListenAddress::Kind::Tls;
    } else if (rest.find("://") != std::string::npos) {
        why = "unknown scheme (use tcp://, tls:// or unix://)";
        return std::nullopt;
    }
    auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
        why = "expected host:port";
        return std::nullopt;
    }
    a.host = rest.substr(0, colon);
    if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
    if (a.host.empty()) a.host = "0.0.0.0";
    std::string port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) > 65535) {
        why = "port must be a number from 0 to 65535";
        return std::nullopt;
    }
    a.port = static_cast<std::uint16_t>(std::stoul(port));
    return a;
}

} // namespace plugrpc
