// PROXY protocol v2 on a listener that opts in ([server] proxy_protocol,
// proxy_trusted), with headers written by the test as HAProxy writes them:
// the address a trusted peer's header names is what access rules, the
// admin pages' gate and the log see; a trusted peer without a header, a
// malformed header and an untrusted peer's header are refused and counted;
// an untrusted peer without one is served as itself. Through real HAProxy
// (send-proxy-v2): tests/haproxy/proxy_v2.sh.
#include "daemon.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace proxy_protocol_test {

using namespace plugrpc::test;

// A PROXY v2 header: PROXY (or LOCAL) over TCP/IPv4 from `source`:`port`.
std::string header(const std::string& source, unsigned port, bool local = false) {
    std::string h("\r\n\r\n\0\r\nQUIT\n", 12);
    h += static_cast<char>(local ? 0x20 : 0x21);
    h += static_cast<char>(0x11);
    h += std::string("\x00\x0c", 2);
    unsigned a, b, c, d;
    REQUIRE(std::sscanf(source.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d) == 4);
    for (unsigned x : {a, b, c, d}) h += static_cast<char>(x);
    h += std::string("\x7f\x00\x00\x01", 4);
    h += static_cast<char>(port >> 8);
    h += static_cast<char>(port & 0xFF);
    h += std::string("\x04\xd2", 2);
    return h;
}

const std::string kV2 = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})";
const std::string kOk = R"({"jsonrpc":"2.0","result":56,"id":1})";

DaemonOptions proxied(const std::string& access) {
    DaemonOptions o;
    o.listen = {"tcp://127.0.0.1:0"};
    // The ephemeral port is not known in advance: "127.0.0.1:0" names the listener.
    o.server_config = "proxy_protocol = [\"tcp://127.0.0.1:0\"]\nproxy_trusted = [\"127.0.0.1\"]\n";
    o.extra_config = "[limits]\nheader_timeout = \"2s\"\n" + access;
    return o;
}

std::string metric(std::uint16_t port, std::string_view name, const std::string& source = "127.0.0.1") {
    // Asked through the proxy protocol listener as loopback, with a header.
    Connection c = Connection::tcp(port);
    c.send(header(source, 1));
    HttpClient http(std::move(c));
    std::string body = http.get("/metrics").body;
    auto at = body.find(std::string(name) + " ");
    if (at == std::string::npos) return "(absent)";
    auto end = body.find('\n', at);
    return body.substr(at + name.size() + 1, end - at - name.size() - 1);
}

TEST_CASE("the client a trusted proxy's PROXY v2 header names is the peer access rules and the log see",
          "[proxy]") {
    Daemon d(proxied("[access.Arith]\nallow = [\"10.1.0.0/16\"]\n"));
    CHECK_THAT(d.listening().at(0), Catch::Contains("(PROXY protocol)"));

    Connection allowed = Connection::tcp(d.port());
    allowed.send(header("10.1.2.3", 40000) + kV2 + "\n");
    CHECK(allowed.recv_line() == kOk);

    Connection refused = Connection::tcp(d.port());
    refused.send(header("10.9.9.9", 40001) + kV2 + "\n");
    CHECK_THAT(refused.recv_line(), Catch::Contains("rpc: access to Arith.Multiply refused for 10.9.9.9"));
    CHECK(d.wait_for_log("tcp://10.9.9.9:40001 (via tcp://127.0.0.1:"));

    // LOCAL, the proxy's own health check: the proxy's address stands.
    Connection local = Connection::tcp(d.port());
    local.send(header("10.1.2.3", 1, true) + kV2 + "\n");
    CHECK_THAT(local.recv_line(), Catch::Contains("refused for 127.0.0.1"));
}

TEST_CASE("behind a proxy, the admin pages see the client's address, not the proxy's loopback one", "[proxy]") {
    Daemon d(proxied(""));
    Connection far = Connection::tcp(d.port());
    far.send(header("192.0.2.7", 5000));
    HttpClient http(std::move(far));
    CHECK(http.get("/metrics").status == 403);
    CHECK(metric(d.port(), "plugrpc_proxy_protocol_refused_total{reason=\"missing\"}") == "0");
}

TEST_CASE("a trusted peer without a PROXY v2 header, or with a broken one, is refused and counted", "[proxy]") {
    Daemon d(proxied(""));
    Connection plain = Connection::tcp(d.port());
    plain.send(kV2 + "\n");
    CHECK(plain.closed_by_peer(5s));
    CHECK(d.wait_for_log("PROXY protocol: a trusted peer's connection does not start with a PROXY v2 header"));

    Connection v1 = Connection::tcp(d.port());
    v1.send("PROXY TCP4 10.1.2.3 127.0.0.1 4000 1234\r\n" + kV2 + "\n");
    CHECK(v1.closed_by_peer(5s));
    CHECK(d.wait_for_log("only version 2 is accepted"));

    std::string bad = header("10.1.2.3", 1);
    bad[13] = 0x41; // address family 4
    Connection broken = Connection::tcp(d.port());
    broken.send(bad + kV2 + "\n");
    CHECK(broken.closed_by_peer(5s));
    CHECK(d.wait_for_log("address family 0x4 is unknown"));

    // Half a header, then nothing: header_timeout (2 s here).
    Connection half = Connection::tcp(d.port());
    half.send(header("10.1.2.3", 1).substr(0, 10));
    CHECK(half.closed_by_peer(6s));

    CHECK(metric(d.port(), "plugrpc_proxy_protocol_refused_total{reason=\"missing\"}") == "1");
    CHECK(metric(d.port(), "plugrpc_proxy_protocol_refused_total{reason=\"malformed\"}") == "2");
    CHECK(metric(d.port(), "plugrpc_limit_exceeded_total{limit=\"header_timeout\"}") == "1");
}

TEST_CASE("an untrusted peer is served as itself, and its PROXY header is refused", "[proxy]") {
    Daemon d(proxied("[access.Arith]\nallow = [\"10.1.2.3\", \"127.0.0.2\"]\n"));
    Connection direct = Connection::tcp_from("127.0.0.2", d.port());
    direct.send_line(kV2);
    CHECK(direct.recv_line() == kOk);

    Connection spoof = Connection::tcp_from("127.0.0.3", d.port());
    spoof.send(header("10.1.2.3", 40000) + kV2 + "\n");
    CHECK(spoof.closed_by_peer(5s));
    CHECK(d.wait_for_log("tcp://127.0.0.3:"));
    CHECK(d.wait_for_log("PROXY protocol: a PROXY header from a peer not in [server] proxy_trusted"));

    // The signature's first bytes, then the rest later: still seen whole.
    Connection slow = Connection::tcp_from("127.0.0.3", d.port());
    std::string h = header("10.1.2.3", 40000);
    slow.send(h.substr(0, 3));
    CHECK(slow.quiet_for(100ms));
    slow.send(h.substr(3) + kV2 + "\n");
    CHECK(slow.closed_by_peer(5s));

    CHECK(metric(d.port(), "plugrpc_proxy_protocol_refused_total{reason=\"untrusted\"}") == "2");
}

TEST_CASE("a stop answers a proxied call whose PROXY header comes just after it", "[proxy]") {
    // Accepted, nothing read yet (the header still to come): the stop gives
    // it a moment rather than close it at once and drop the call.
    Daemon d(proxied("[access.Arith]\nallow = [\"10.1.2.3\"]\n"));
    Connection c = Connection::tcp(d.port());
    REQUIRE(c.quiet_for(100ms));
    ::kill(d.pid(), SIGTERM);
    REQUIRE(d.wait_for_log("stopping", 5s));
    std::this_thread::sleep_for(100ms);
    c.send(header("10.1.2.3", 40000) + kV2 + "\n");
    CHECK(c.recv_line(3s) == kOk);
    CHECK(d.wait_exit(5s) == 0);
}

TEST_CASE("a listener without proxy_protocol never reads a PROXY header as one", "[proxy]") {
    DaemonOptions o;
    o.extra_config = "[access.Arith]\nallow = [\"10.1.2.3\"]\n";
    Daemon d(o);
    Connection c = Connection::tcp(d.port());
    c.send(header("10.1.2.3", 40000) + kV2 + "\n");
    // The header is not a request: whatever the answer, Arith is not served to 10.1.2.3.
    std::string got;
    try {
        got = c.recv_all(5s);
    } catch (const HarnessError&) {
    }
    CHECK_THAT(got, !Catch::Contains("\"result\":56"));
}

TEST_CASE("proxy_protocol must name a listener, and needs proxy_trusted", "[proxy]") {
    TempDir dir;
    auto cfg = dir.write("c.toml", "[server]\nlisten = [\"tcp://127.0.0.1:1234\"]\nproxy_protocol = [\"tcp://0.0.0.0:1234\"]\n"
                                   "proxy_trusted = [\"10.0.0.0/8\"]\n[plugins]\ndirs = []\n");
    RunResult r = run_plugrpcd({"-t", "-c", cfg.string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("c.toml:3:18: server.proxy_protocol: \"tcp://0.0.0.0:1234\" is not one of server.listen"));
    auto ok = dir.write("ok.toml", "[server]\nlisten = [\"tcp://127.0.0.1:1234\"]\nproxy_protocol = [\"tcp://127.0.0.1:1234\"]\n"
                                   "proxy_trusted = [\"10.0.0.0/8\"]\n[plugins]\ndirs = []\n");
    r = run_plugrpcd({"-t", "-c", ok.string()});
    CHECK_THAT(r.out, Catch::Contains("proxy protocol: tcp://127.0.0.1:1234, from 10.0.0.0/8"));
}

// plugrpcd started as systemd starts it with socket activation: a listening
// socket as fd 3 and LISTEN_FDS=1. Killed when this goes out of scope.
struct Activated {
    TempDir dir;
    int listener = -1;
    std::uint16_t port = 0;
    pid_t pid = -1;

    explicit Activated(const std::string& extra) {
        listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&in), sizeof in) == 0);
        REQUIRE(::listen(listener, 64) == 0);
        socklen_t len = sizeof in;
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&in), &len);
        port = ntohs(in.sin_port);
        std::filesystem::create_directory(dir.path() / "plugins");
        std::filesystem::copy_file(arith_plugin(), dir.path() / "plugins" / "arith.so");
        std::string addr = "tcp://127.0.0.1:" + std::to_string(port);
        auto config = dir.write("plugrpcd.toml", "[server]\nlisten = [\"" + addr + "\"]\nproxy_protocol = [\"" + addr +
                                                     "\"]\nproxy_trusted = [\"127.0.0.1\"]\nthreads = 2\n[plugins]\ndirs = [\"" +
                                                     (dir.path() / "plugins").string() + "\"]\n" + extra);
        std::string log = (dir.path() / "log").string();
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            if (listener == 3) ::fcntl(3, F_SETFD, 0); // kept across exec
            else ::dup2(listener, 3);                   // dup2 clears FD_CLOEXEC on the copy
            int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(err, 2);
            std::string self = std::to_string(::getpid());
            ::setenv("LISTEN_FDS", "1", 1);
            ::setenv("LISTEN_PID", self.c_str(), 1);
            ::unsetenv("NOTIFY_SOCKET");
            std::string bin = plugrpcd_binary().string(), cfg = config.string();
            ::execl(bin.c_str(), bin.c_str(), "--config", cfg.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }
    ~Activated() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        ::close(listener);
    }
    std::string log() const { return read_file(dir.path() / "log"); }
    bool wait_for_log(std::string_view needle) const {
        for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;
             std::this_thread::sleep_for(20ms))
            if (contains(log(), needle)) return true;
        return false;
    }
};

TEST_CASE("a socket passed by systemd is a PROXY protocol listener when proxy_protocol names its address",
          "[proxy]") {
    Activated a("[access.Arith]\nallow = [\"10.1.2.3\"]\n");
    bool listening = a.wait_for_log("(fd 3 from systemd) (PROXY protocol)");
    INFO(a.log());
    REQUIRE(listening);
    Connection c = Connection::tcp(a.port);
    c.send(header("10.1.2.3", 40000) + kV2 + "\n");
    CHECK(c.recv_line() == kOk);
    Connection plain = Connection::tcp(a.port);
    plain.send(kV2 + "\n");
    CHECK(plain.closed_by_peer(5s));
}

} // namespace proxy_protocol_test
