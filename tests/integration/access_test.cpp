// Who may call what ([access.<name>] allow = [...]): client ranges over every
// protocol (gob, Go's jsonrpc, JSON-RPC 2.0 over TCP and HTTP) from two
// loopback addresses, a method's own rule, and unix peers' uid and gid
// (SO_PEERCRED) with a client forked under another user. A refused call
// gets its protocol's error, is counted in /metrics, logged once per
// connection, and rpc.discover leaves out what the peer may not call.
// Certificate subjects over mutual TLS: mtls_test.cpp.
#include "daemon.hpp"

#include <catch2/catch.hpp>

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace access_test {

using namespace plugrpc::test;

std::string unhex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

// Go's first call of Arith.Multiply(Args{7, 8}), seq 0, as captured from Go
// 1.19: the Request and Args type definitions, then the values.
const std::string kGobMultiply =
    unhex("2fff81030101075265717565737401ff82000102010d536572766963654d6574686f64010c000103536571010600000013"
          "ff82010e41726974682e4d756c7469706c79001eff83030101044172677301ff84000102010141010400010142010400"
          "000007ff84010e011000");
// The same call again on that connection: the values alone (Go sends its
// type definitions once per connection).
const std::string kGobMultiplyAgain =
    unhex("13ff82010e41726974682e4d756c7469706c790007ff84010e011000");
const std::string kGoJson = R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1})";
const std::string kV2 = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})";

std::size_t count(std::string_view hay, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
    return n;
}

// A gob client's whole reply to kGobMultiply (its header holds an error
// text, or the body 56 follows), read until the connection goes quiet.
std::string gob_call(Connection& c, bool again = false) {
    c.send(again ? kGobMultiplyAgain : kGobMultiply);
    std::string got = c.recv_exact(4);
    while (!c.quiet_for(200ms)) got += c.recv_exact(1);
    return got;
}

std::string metric(std::uint16_t port, std::string_view name) {
    HttpClient http(port);
    std::string body = http.get("/metrics").body;
    auto at = body.find(std::string(name) + " ");
    if (at == std::string::npos) return "(absent)";
    auto end = body.find('\n', at);
    return body.substr(at + name.size() + 1, end - at - name.size() - 1);
}

TEST_CASE("a client range rule lets 127.0.0.1 call Arith and refuses 127.0.0.2 over gob, jsonrpc, JSON-RPC 2.0 "
          "and HTTP",
          "[access]") {
    DaemonOptions o;
    o.extra_config = "[access.Arith]\nallow = [\"127.0.0.1\"]\n";
    Daemon d(o);
    const std::string refused = "rpc: access to Arith.Multiply refused for 127.0.0.2";

    // Allowed: the peer the rule names, on every protocol.
    Connection json = Connection::tcp(d.port());
    json.send_line(kGoJson);
    CHECK(json.recv_line() == R"({"id":1,"result":56,"error":null})");
    Connection gob = Connection::tcp(d.port());
    CHECK_THAT(gob_call(gob), Catch::EndsWith(unhex("03040070")));

    // Refused: each protocol's error, twice on one connection, logged once.
    Connection gob2 = Connection::tcp_from("127.0.0.2", d.port());
    std::string first = gob_call(gob2), second = gob_call(gob2, true);
    CHECK_THAT(first, Catch::Contains(refused));
    CHECK_THAT(second, Catch::Contains(refused));
    CHECK_THAT(first, !Catch::EndsWith(unhex("03040070")));

    Connection go = Connection::tcp_from("127.0.0.2", d.port());
    go.send_line(kGoJson);
    CHECK(go.recv_line() == R"({"id":1,"result":null,"error":")" + refused + R"("})");

    Connection v2 = Connection::tcp_from("127.0.0.2", d.port());
    v2.send_line(kV2);
    CHECK(v2.recv_line() == R"({"jsonrpc":"2.0","error":{"code":-32003,"message":")" + refused + R"("},"id":1})");
    v2.send_line(R"([{"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":7,"B":8},"id":2}])");
    CHECK_THAT(v2.recv_line(), Catch::Contains("-32003") && Catch::Contains("Arith.Divide refused for 127.0.0.2"));

    HttpClient http(Connection::tcp_from("127.0.0.2", d.port()));
    HttpResponse r = http.post("/_goRPC_", kV2);
    CHECK(r.status == 200); // as every JSON-RPC error over HTTP
    CHECK_THAT(r.body, Catch::Contains(R"("code":-32003)") && Catch::Contains(refused));

    // Counted per call; logged once per connection (4 connections refused).
    CHECK(metric(d.port(), R"(plugrpc_calls_refused_total{service="Arith",reason="access"})") == "6");
    CHECK(d.wait_for_log("access to Arith.Multiply refused for 127.0.0.2: no entry of [access.Arith] matches"));
    CHECK(count(d.log(), "refused for 127.0.0.2: no entry") == 4);
}

TEST_CASE("rpc.discover and /openrpc.json leave out the methods a peer may not call", "[access]") {
    DaemonOptions o;
    o.extra_config = "[access.\"Arith.Divide\"]\nallow = [\"127.0.0.1\"]\n";
    Daemon d(o);
    const std::string discover = R"({"jsonrpc":"2.0","method":"rpc.discover","id":1})";
    Connection near = Connection::tcp(d.port());
    near.send_line(discover);
    std::string all = near.recv_line();
    CHECK_THAT(all, Catch::Contains("Arith.Divide") && Catch::Contains("Arith.Multiply"));
    Connection far = Connection::tcp_from("127.0.0.2", d.port());
    far.send_line(discover);
    std::string cut = far.recv_line();
    CHECK_THAT(cut, !Catch::Contains("Arith.Divide") && Catch::Contains("Arith.Multiply"));
    // A method's own rule: Divide refused to 127.0.0.2, Multiply open to it.
    far.send_line(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":2})");
    CHECK(far.recv_line() == R"({"jsonrpc":"2.0","result":42,"id":2})");
    far.send_line(R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":6,"B":7},"id":3})");
    CHECK_THAT(far.recv_line(), Catch::Contains("-32003"));
}

TEST_CASE("an empty allow list refuses everyone, loopback too", "[access]") {
    DaemonOptions o;
    o.extra_config = "[access.Arith]\nallow = []\n";
    Daemon d(o);
    Connection c = Connection::tcp(d.port());
    c.send_line(kGoJson);
    CHECK(c.recv_line() == R"({"id":1,"result":null,"error":"rpc: access to Arith.Multiply refused for 127.0.0.1"})");
}

// Connect to `socket` as uid/gid (with `groups`), send kV2, and return the
// reply line; run in a forked child that drops its ids first.
std::string call_as(const std::filesystem::path& socket, uid_t uid, gid_t gid, std::vector<gid_t> groups) {
    int pipefd[2];
    REQUIRE(::pipe(pipefd) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(pipefd[0]);
        alarm(10);
        if (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) _exit(3);
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, socket.c_str(), sizeof a.sun_path - 1);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) _exit(4);
        std::string req = kV2 + "\n";
        if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) _exit(5);
        char buf[512];
        ssize_t n = 0, total = 0;
        while (total < static_cast<ssize_t>(sizeof buf) && (n = ::read(fd, buf + total, sizeof buf - total)) > 0) {
            total += n;
            if (std::memchr(buf, '\n', total)) break;
        }
        if (::write(pipefd[1], buf, total) != total) _exit(6);
        _exit(0);
    }
    ::close(pipefd[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, n);
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    INFO("child exit status " << status);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    return out.substr(0, out.find('\n'));
}

TEST_CASE("uid and gid rules on a unix listener let the named user and group in and refuse others", "[access]") {
    if (::geteuid() != 0) {
        WARN("not root: cannot run a client under another uid; skipped");
        return;
    }
    DaemonOptions o;
    o.listen = {"tcp://127.0.0.1:0", "unix://{dir}/s.sock"};
    o.extra_config = "[access.Arith]\nallow = [\"uid:0\", \"gid:54321\"]\n";
    Daemon d(o);
    auto socket = d.dir() / "s.sock";
    ::chmod(d.dir().c_str(), 0755);
    ::chmod(socket.c_str(), 0777);
    const std::string ok = R"({"jsonrpc":"2.0","result":56,"id":1})";

    CHECK(call_as(socket, 0, 0, {0}) == ok);
    // nobody, refused; nobody with the group as a supplementary one, allowed.
    CHECK(call_as(socket, 65534, 65534, {65534}) ==
          R"({"jsonrpc":"2.0","error":{"code":-32003,"message":"rpc: access to Arith.Multiply refused for uid 65534 gid 65534"},"id":1})");
    CHECK(call_as(socket, 65534, 65534, {65534, 54321}) == ok);
    CHECK(call_as(socket, 65534, 54321, {54321}) == ok);
    // TCP peers have no credentials: refused even from loopback.
    Connection tcp = Connection::tcp(d.port());
    tcp.send_line(kV2);
    CHECK_THAT(tcp.recv_line(), Catch::Contains("-32003"));
}

TEST_CASE("plugrpcd -t prints the access rules and refuses an unknown user, naming the key", "[access]") {
    TempDir dir;
    auto good = dir.write("good.toml", "[plugins]\ndirs = []\n[access.Arith]\nallow = [\"127.0.0.1\", \"uid:root\"]\n");
    RunResult r = run_plugrpcd({"-t", "-c", good.string()});
    CHECK_THAT(r.out, Catch::Contains("access: Arith allowed to 127.0.0.1, uid:root"));
    auto bad = dir.write("bad.toml", "[access.Arith]\nallow = [\"uid:no-such-user-plugrpc\"]\n");
    r = run_plugrpcd({"-t", "-c", bad.string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("bad.toml:2:9: access.Arith.allow: \"uid:no-such-user-plugrpc\": no user named"));
}

} // namespace access_test
