// Mutual TLS ([tls] client_ca, client_auth) and access rules by certificate
// subject: a CA, a server certificate and client certificates for
// CN=alice,O=ops and CN=bob,O=ops made with openssl at test time, used by
// curl. Go's tls.Dial with a client certificate over gob and jsonrpc:
// tests/interop/cmd/mtlscheck.
#include "daemon.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <thread>

namespace mtls_test {

using namespace plugrpc::test;

void run(const std::string& command) {
    auto [rc, out] = shell(command + " 2>&1");
    if (rc != 0) throw HarnessError(command + " failed: " + out);
}

// ca-NAME.pem and its key in `dir`.
void make_ca(const TempDir& dir, const std::string& name) {
    std::string d = dir.path().string() + "/";
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=" + name +
        " -keyout " + d + name + "-key.pem -out " + d + name + ".pem");
}

// NAME.pem and NAME-key.pem signed by CA, with `subject` ("/O=ops/CN=alice")
// and, for a server, an IP address.
void make_cert(const TempDir& dir, const std::string& ca, const std::string& name, const std::string& subject,
               bool server = false) {
    std::string d = dir.path().string() + "/";
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj " + subject +
        (server ? " -addext subjectAltName=IP:127.0.0.1" : "") + " -keyout " + d + name + "-key.pem -out " + d +
        name + ".csr");
    run("openssl x509 -req -in " + d + name + ".csr -CA " + d + ca + ".pem -CAkey " + d + ca +
        "-key.pem -CAcreateserial -days 1 -copy_extensions copy -out " + d + name + ".pem");
}

struct Pki {
    TempDir dir;
    Pki() {
        make_ca(dir, "ca1");
        make_ca(dir, "ca2");
        make_cert(dir, "ca1", "server", "/CN=plugrpcd", true);
        make_cert(dir, "ca1", "alice", "/O=ops/CN=alice");
        make_cert(dir, "ca1", "bob", "/O=ops/CN=bob");
        make_cert(dir, "ca2", "carol", "/O=ops/CN=carol");
    }
    std::string path(const std::string& name) const { return (dir.path() / name).string(); }
    std::string tls_config(const std::string& ca, const std::string& auth = "") const {
        return "[tls]\ncert_file = \"" + path("server.pem") + "\"\nkey_file = \"" + path("server-key.pem") +
               "\"\nclient_ca = \"" + path(ca + ".pem") + "\"\n" +
               (auth.empty() ? "" : "client_auth = \"" + auth + "\"\n");
    }
};

std::uint16_t tls_port(const Daemon& d) {
    for (const auto& l : d.listening())
        if (l.rfind("tls://", 0) == 0) return static_cast<std::uint16_t>(std::stoul(l.substr(l.rfind(':') + 1)));
    throw HarnessError("plugrpcd logged no tls:// listener");
}

// curl's exit status and body for a JSON-RPC POST with client certificate
// `who` ("" for none).
std::pair<int, std::string> post(const Pki& pki, std::uint16_t port, const std::string& who) {
    std::string cert = who.empty() ? "" : " --cert " + pki.path(who + ".pem") + " --key " + pki.path(who + "-key.pem");
    return shell("curl -s --max-time 10 --cacert " + pki.path("ca1.pem") + cert + " https://127.0.0.1:" +
                 std::to_string(port) +
                 "/_goRPC_ -d '{\"jsonrpc\":\"2.0\",\"method\":\"Arith.Multiply\",\"params\":{\"A\":7,\"B\":8},\"id\":1}'");
}

TEST_CASE("with client_ca, alice's certificate calls Arith, bob's is refused naming his subject, and no "
          "certificate fails the handshake",
          "[tls][access]") {
    Pki pki;
    DaemonOptions o;
    o.listen = {"tcp://127.0.0.1:0", "tls://127.0.0.1:0"};
    o.extra_config = pki.tls_config("ca1") + "[access.Arith]\nallow = [\"subject:CN=alice,O=ops\"]\n";
    Daemon d(o);
    auto port = tls_port(d);

    auto [rc, body] = post(pki, port, "alice");
    CHECK(rc == 0);
    CHECK(body == "{\"jsonrpc\":\"2.0\",\"result\":56,\"id\":1}\n");
    std::tie(rc, body) = post(pki, port, "bob");
    CHECK(rc == 0);
    CHECK_THAT(body, Catch::Contains("\"code\":-32003") &&
                         Catch::Contains("rpc: access to Arith.Multiply refused for 127.0.0.1 (certificate CN=bob,O=ops)"));
    std::tie(rc, body) = post(pki, port, "");
    CHECK(rc != 0); // the handshake (or, in TLS 1.3, the first read) fails
    CHECK(body.empty());
    // A certificate from another CA is not taken either.
    std::tie(rc, body) = post(pki, port, "carol");
    CHECK(rc != 0);
    CHECK_THAT(d.log(), Catch::Contains("refused for 127.0.0.1 (certificate CN=bob,O=ops): no entry of [access.Arith]"));
}

TEST_CASE("with client_auth = \"optional\", a client without a certificate is served, and subject rules refuse it",
          "[tls][access]") {
    Pki pki;
    DaemonOptions o;
    o.listen = {"tcp://127.0.0.1:0", "tls://127.0.0.1:0"};
    o.extra_config = pki.tls_config("ca1", "optional") + "[access.\"Arith.Multiply\"]\nallow = [\"subject:CN=alice,O=ops\"]\n";
    Daemon d(o);
    auto port = tls_port(d);
    auto [rc, body] = post(pki, port, "");
    CHECK(rc == 0);
    CHECK_THAT(body, Catch::Contains("refused for 127.0.0.1 (no client certificate)"));
    std::tie(rc, body) = post(pki, port, "alice");
    CHECK(body == "{\"jsonrpc\":\"2.0\",\"result\":56,\"id\":1}\n");
}

TEST_CASE("a reload picks up a new client CA, as it picks up a new certificate", "[tls]") {
    Pki pki;
    DaemonOptions o;
    o.listen = {"tcp://127.0.0.1:0", "tls://127.0.0.1:0"};
    o.extra_config = pki.tls_config("ca1");
    Daemon d(o);
    auto port = tls_port(d);
    CHECK(post(pki, port, "carol").first != 0);
    CHECK(post(pki, port, "alice").first == 0);

    std::string text = read_file(d.config_file());
    auto at = text.find(pki.path("ca1.pem"));
    REQUIRE(at != std::string::npos);
    text.replace(at, pki.path("ca1.pem").size(), pki.path("ca2.pem"));
    TempDir scratch;
    std::filesystem::copy_file(scratch.write("c.toml", text), d.config_file(),
                               std::filesystem::copy_options::overwrite_existing);
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    REQUIRE(d.wait_for_log("SIGHUP: reloading"));
    bool carol = false;
    for (auto until = std::chrono::steady_clock::now() + 5s; !carol && std::chrono::steady_clock::now() < until;) {
        carol = post(pki, port, "carol").first == 0;
        if (!carol) std::this_thread::sleep_for(100ms);
    }
    CHECK(carol);
    CHECK(post(pki, port, "alice").first != 0);
}

TEST_CASE("plugrpcd -t checks client_ca, naming the file and the key", "[tls]") {
    Pki pki;
    TempDir dir;
    auto cfg = dir.write("c.toml", "[server]\nlisten = [\"tls://127.0.0.1:0\"]\n[plugins]\ndirs = []\n[tls]\ncert_file = \"" +
                                       pki.path("server.pem") + "\"\nkey_file = \"" + pki.path("server-key.pem") +
                                       "\"\nclient_ca = \"missing-ca.pem\"\n");
    RunResult r = run_plugrpcd({"-t", "-c", cfg.string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains((dir.path() / "missing-ca.pem").string() + ": [tls] client_ca: cannot load"));
    auto no_ca = dir.write("n.toml", "[tls]\ncert_file = \"a.pem\"\nkey_file = \"b.pem\"\nclient_auth = \"require\"\n");
    r = run_plugrpcd({"-t", "-c", no_ca.string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("n.toml:4:15: tls.client_ca: client_auth = \"require\" needs client_ca"));
}

TEST_CASE("plugrpcd -t refuses a client CA the service user cannot read, naming it", "[tls]") {
    Pki pki;
    TempDir dir;
    ::chmod(dir.path().c_str(), 0755);
    for (const char* f : {"server.pem", "server-key.pem", "ca1.pem"}) {
        std::filesystem::copy_file(pki.path(f), dir.path() / f);
        ::chmod((dir.path() / f).c_str(), std::string(f) == "ca1.pem" ? 0600 : 0644);
    }
    auto cfg = dir.write("c.toml", "[server]\nlisten = [\"tls://127.0.0.1:0\"]\n[plugins]\ndirs = []\n[tls]\n"
                                   "cert_file = \"server.pem\"\nkey_file = \"server-key.pem\"\nclient_ca = \"ca1.pem\"\n");
    ::chmod(cfg.c_str(), 0644);
    RunResult r = run_plugrpcd({"-t", "--as-user", "nobody", "-c", cfg.string()});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("tls: client certificates verified against " + (dir.path() / "ca1.pem").string() +
                                      " (required)"));
    if (::geteuid() == 0)
        CHECK_THAT(r.err, Catch::Contains((dir.path() / "ca1.pem").string() +
                                          " ([tls] client_ca): user nobody cannot read it: Permission denied"));
    else
        CHECK_THAT(r.err, Catch::Contains("not checked: whether user nobody can read"));
}

} // namespace mtls_test
