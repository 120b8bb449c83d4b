// tls:// listeners: configuration errors that name what is wrong, and a
// real TLS client (curl, with OpenSSL) calling through one. Go's crypto/tls
// clients over every protocol are in tests/interop/cmd/tlscheck.
#include "daemon.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <future>
#include <string>
#include <thread>

using namespace plugrpc::test;

namespace {

// A self-signed certificate for 127.0.0.1: cert.pem and key.pem in `dir`.
void make_certificate(const TempDir& dir, const std::string& prefix = "") {
    std::string d = dir.path().string() + "/" + prefix;
    auto [rc, out] = shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
                           " -subj /CN=plugrpcd-test -addext subjectAltName=IP:127.0.0.1 -keyout " +
                           d + "key.pem -out " + d + "cert.pem 2>&1");
    if (rc != 0) throw HarnessError("openssl req failed: " + out);
}

// A daemon with a tcp:// and a tls:// listener, serving the certificate
// made in `certs`.
DaemonOptions tls_options(const TempDir& certs) {
    make_certificate(certs);
    DaemonOptions o;
    o.listen = {"tcp://127.0.0.1:0", "tls://127.0.0.1:0"};
    o.extra_config = "[tls]\ncert_file = \"" + (certs.path() / "cert.pem").string() + "\"\nkey_file = \"" +
                     (certs.path() / "key.pem").string() + "\"\n";
    return o;
}

// curl posting Arith.Multiply(7, 8) as JSON-RPC 2.0 to https://127.0.0.1:port/_goRPC_.
std::string curl_multiply(const TempDir& certs, std::uint16_t port) {
    return "curl -sS --max-time 10 --cacert " + (certs.path() / "cert.pem").string() +
           " -H 'Content-Type: application/json' -d "
           "'{\"jsonrpc\":\"2.0\",\"method\":\"Arith.Multiply\",\"params\":{\"A\":7,\"B\":8},\"id\":1}' "
           "https://127.0.0.1:" + std::to_string(port) + "/_goRPC_ 2>&1";
}

std::uint16_t tls_port(const Daemon& d) {
    for (const auto& l : d.listening())
        if (l.rfind("tls://", 0) == 0) return static_cast<std::uint16_t>(std::stoul(l.substr(l.rfind(':') + 1)));
    throw HarnessError("plugrpcd logged no tls:// listener");
}

// A relay between one client and `port` that connects on to it as soon as
// the client comes, then holds every byte until release(): the daemon has
// accepted a connection on which nothing has arrived yet.
class HeldRelay {
public:
    explicit HeldRelay(std::uint16_t port) : target_(port) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(listener_, 1) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw HarnessError("relay: cannot listen");
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~HeldRelay() {
        stop_ = true;
        released_ = true;
        thread_.join();
        ::close(listener_);
    }
    std::uint16_t port() const { return port_; }
    bool wait_connected(Millis timeout) {
        for (auto until = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < until;)
            if (connected_) return true;
            else std::this_thread::sleep_for(10ms);
        return connected_;
    }
    void release() { released_ = true; }

private:
    void run() {
        pollfd l{listener_, POLLIN, 0};
        while (!stop_ && ::poll(&l, 1, 50) == 0) {
        }
        if (stop_) return;
        int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(target_);
        if (client < 0 || ::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            if (client >= 0) ::close(client);
            ::close(server);
            return;
        }
        connected_ = true;
        while (!released_) std::this_thread::sleep_for(5ms);
        char buf[16384];
        for (bool open = true; open && !stop_;) {
            pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
            if (::poll(p, 2, 50) <= 0) continue;
            for (int i = 0; i < 2 && open; ++i) {
                if (!p[i].revents) continue;
                ssize_t n = ::read(p[i].fd, buf, sizeof buf);
                open = n > 0 && ::write(p[1 - i].fd, buf, static_cast<std::size_t>(n)) == n;
            }
        }
        ::close(client);
        ::close(server);
    }

    std::uint16_t target_, port_ = 0;
    int listener_ = -1;
    std::atomic<bool> connected_{false}, released_{false}, stop_{false};
    std::thread thread_;
};

} // namespace

TEST_CASE("a tls:// listener without [tls] files is refused, naming the listener", "[tls]") {
    TempDir dir;
    auto cfg = dir.write("c.toml", "[server]\nlisten = [\"tls://127.0.0.1:0\"]\n[plugins]\ndirs = []\n");
    RunResult r = run_plugrpcd({"--check-config", "-c", cfg.string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("tls://127.0.0.1:0") && Catch::Contains("[tls] cert_file and key_file"));
}

TEST_CASE("[tls] cert_file without key_file is a config error naming the line", "[tls]") {
    TempDir dir;
    auto cfg = dir.write("c.toml", "[tls]\ncert_file = \"cert.pem\"\n");
    RunResult r = run_plugrpcd({"--check-config", "-c", cfg.string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("c.toml:1:1: tls.key_file: cert_file and key_file go together"));
}

TEST_CASE("a certificate that does not load is refused, naming the file", "[tls]") {
    TempDir dir;
    make_certificate(dir);
    auto listen = "[server]\nlisten = [\"tls://127.0.0.1:0\"]\n[plugins]\ndirs = []\n";

    auto missing = dir.write("missing.toml", std::string(listen) + "[tls]\ncert_file = \"nope.pem\"\nkey_file = \"key.pem\"\n");
    RunResult r = run_plugrpcd({"--check-config", "-c", missing.string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains((dir.path() / "nope.pem").string() + ": [tls] cert_file"));

    make_certificate(dir, "other-");
    auto mismatched =
        dir.write("mismatch.toml", std::string(listen) + "[tls]\ncert_file = \"cert.pem\"\nkey_file = \"other-key.pem\"\n");
    r = run_plugrpcd({"--check-config", "-c", mismatched.string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("other-key.pem: [tls] key_file: ") && Catch::Contains("mismatch"));

    // And the daemon itself will not start with it.
    r = run_plugrpcd({"-c", mismatched.string()});
    CHECK(r.exit_code == 78); // EX_CONFIG: systemd does not restart into it
    CHECK_THAT(r.err, Catch::Contains("cannot serve TLS"));
}

TEST_CASE("curl calls Arith over HTTPS on a tls:// listener, and reads /metrics from loopback", "[tls]") {
    TempDir certs;
    Daemon d(tls_options(certs));
    std::string url = "https://127.0.0.1:" + std::to_string(tls_port(d));
    std::string curl = "curl -sS --max-time 10 --cacert " + (certs.path() / "cert.pem").string() + " ";

    auto [rc, out] = shell(curl_multiply(certs, tls_port(d)));
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::StartsWith("{\"jsonrpc\":\"2.0\"") && Catch::Contains("\"result\":56"));

    std::tie(rc, out) = shell(curl + url + "/metrics 2>&1");
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("plugrpc_calls_total{service=\"Arith\",method=\"Multiply\",outcome=\"ok\"} 1"));

    // Without the certificate as a trust anchor curl refuses the server.
    std::tie(rc, out) = shell("curl -sS --max-time 10 " + url + "/healthz 2>&1");
    CHECK(rc != 0);

    // The plain listener beside it still speaks plain text.
    HttpClient http(d.port());
    CHECK(http.get("/healthz").status == 200);
}

TEST_CASE("a stop answers a call over TLS whose handshake comes just after it", "[tls]") {
    // Accepted, nothing read yet (the ClientHello still to come): the stop
    // gives it a moment to shake hands and send, rather than close it.
    TempDir certs;
    Daemon d(tls_options(certs));
    HeldRelay relay(tls_port(d));
    std::string call = curl_multiply(certs, relay.port());
    auto answered = std::async(std::launch::async, [&] { return shell(call); });
    REQUIRE(relay.wait_connected(5s));
    std::this_thread::sleep_for(100ms); // the daemon has accepted it
    ::kill(d.pid(), SIGTERM);
    REQUIRE(d.wait_for_log("stopping", 5s));
    std::this_thread::sleep_for(100ms);
    relay.release();
    auto [rc, out] = answered.get();
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("\"result\":56"));
    CHECK(d.wait_exit(5s) == 0);
}
