// A plugin cannot take the daemon down: answers that come twice, late, after
// an error or after the call timed out are refused without touching freed
// memory; exceptions thrown through the C ABI become error replies; calls
// nobody answers end at their deadline and free their place; a stop ends
// within drain_timeout whatever the plugins do. Rogue.* (tests/plugins/rogue)
// misbehaves on purpose.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <sys/socket.h>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <thread>

using namespace plugrpc::test;

namespace {

DaemonOptions with_rogue(std::string limits = {}, std::string server = {}) {
    DaemonOptions o;
    o.plugins = {arith_plugin(), slow_plugin(), PLUGRPC_TEST_ROGUE_PLUGIN};
    if (!limits.empty()) o.extra_config = "[limits]\n" + limits + "\n";
    o.server_config = std::move(server);
    return o;
}

// The same with every plugin in a process of its own.
DaemonOptions isolated_rogue(std::string limits) {
    DaemonOptions o = with_rogue(std::move(limits));
    o.plugins_config = "isolate = true\nstrict_permissions = false";
    return o;
}

std::string request(std::string_view method, long long millis, int id) {
    return R"({"jsonrpc":"2.0","method":")" + std::string(method) + R"(","params":{"Millis":)" +
           std::to_string(millis) + R"(},"id":)" + std::to_string(id) + "}";
}

std::string multiply(int id) {
    return R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":)" + std::to_string(id) + "}";
}

std::string multiplied(int id) { return R"({"jsonrpc":"2.0","result":42,"id":)" + std::to_string(id) + "}"; }

// The error message of a JSON-RPC 2.0 reply ("" when it succeeded).
std::string error_of(const std::string& line) {
    auto v = parse_json(line);
    if (!has_member(v, "error")) return "";
    return std::string(member(member(v, "error"), "message").as_string());
}

// What Rogue's late and repeated answers were told by the host so far.
std::string codes(std::uint16_t port) {
    Connection c = Connection::tcp(port);
    auto v = parse_json(call_line(c, request("Rogue.Codes", 0, 1)));
    return std::string(member(v, "result").as_string());
}

// How many times `word` ("twice.second=5") appears in `text`.
std::size_t count(const std::string& text, std::string_view word) {
    std::size_t n = 0;
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
    return n;
}

// The number Rogue.Codes recorded as "`name`=N" in `seen`.
long recorded(const std::string& seen, const std::string& name) {
    auto at = seen.find(name + "=");
    REQUIRE(at != std::string::npos);
    return std::stol(seen.substr(at + name.size() + 1));
}

// Poll Rogue.Codes until `word` appears `times` times.
std::string wait_codes(std::uint16_t port, std::string_view word, std::size_t times = 1, Millis limit = 5s) {
    auto end = std::chrono::steady_clock::now() + limit;
    std::string text;
    while (std::chrono::steady_clock::now() < end) {
        text = codes(port);
        if (count(text, word) >= times) break;
        std::this_thread::sleep_for(20ms);
    }
    return text;
}

} // namespace

TEST_CASE("answers given twice from a plugin's thread are refused with PLRPC_INVALID, and the daemon lives") {
    Daemon d(with_rogue());
    constexpr int kCalls = 40;
    Connection c = Connection::tcp(d.port());
    for (int i = 1; i <= kCalls; ++i) c.send_line(request("Rogue.Twice", i % 5, i));
    for (int i = 1; i <= kCalls; ++i) CHECK_THAT(c.recv_line(), Catch::Contains(R"("result":1)"));
    std::string seen = wait_codes(d.port(), "twice.reply_fields=", kCalls);
    CHECK(count(seen, "twice.first=0") == kCalls);
    // PLRPC_INVALID is 5: a second answer, and every helper on the finished call.
    for (const char* word : {"twice.second=5", "twice.error=5", "twice.arg_int=5", "twice.arg_string=5",
                             "twice.set_int=5", "twice.reply_fields=5"}) {
        INFO(word);
        CHECK(count(seen, word) == kCalls);
    }
    CHECK(call_line(c, multiply(99)) == multiplied(99));
    CHECK(d.running());
    CHECK(d.stop() == 0);
}

TEST_CASE("an answer after the handler returned an error is refused, the caller got the error, the daemon lives") {
    Daemon d(with_rogue());
    Connection c = Connection::tcp(d.port());
    for (int i = 1; i <= 20; ++i) {
        // The answer comes well after the handler returned.
        std::string e = error_of(call_line(c, request("Rogue.ErrorThenAnswer", 20 + i % 3 * 5, i)));
        CHECK_THAT(e, Catch::Contains("Rogue.ErrorThenAnswer") && Catch::Contains("failed with code 1"));
    }
    CHECK(count(wait_codes(d.port(), "error_then_answer=5", 20), "error_then_answer=5") == 20);
    CHECK(call_line(c, multiply(99)) == multiplied(99));
    CHECK(d.running());
    CHECK(d.stop() == 0);
}

TEST_CASE("an exception thrown through the bare C ABI becomes an error reply naming the method") {
    Daemon d(with_rogue());
    Connection c = Connection::tcp(d.port());
    std::string e = error_of(call_line(c, request("Rogue.Throw", 0, 1)));
    CHECK_THAT(e, Catch::Contains("Rogue.Throw") && Catch::Contains("rogue: thrown on purpose"));
    e = error_of(call_line(c, request("Rogue.ThrowInt", 0, 2)));
    CHECK_THAT(e, Catch::Contains("Rogue.ThrowInt") && Catch::Contains("exception"));
    // Go's dialect too.
    CHECK_THAT(call_line(c, R"({"method":"Rogue.Throw","params":[{"Millis":0}],"id":3})"),
               Catch::Contains("Rogue.Throw"));
    CHECK(call_line(c, multiply(4)) == multiplied(4));
    CHECK(d.running());
    CHECK(d.stop() == 0);
}

TEST_CASE("a plugin in the daemon that calls exit(0) ends it as a failure (status 70), which systemd restarts") {
    Daemon d(with_rogue());
    Connection c = Connection::tcp(d.port());
    c.send_line(request("Rogue.Exit", 0, 1));
    // exit(0) would be a success: Restart=on-failure would leave the service down.
    CHECK(d.wait_exit(10s) == 70);
    CHECK(d.wait_for_log("exit() was called while the daemon was serving, not by the daemon", 1s));
}

TEST_CASE("the daemon's own stop still exits 0 once a stray exit() is guarded against") {
    Daemon d(with_rogue());
    CHECK(d.stop() == 0);
}

TEST_CASE("a call not answered within call_timeout gets a timeout error naming the method and the limit") {
    Daemon d(with_rogue("call_timeout = \"300ms\""));
    Connection c = Connection::tcp(d.port());
    auto start = std::chrono::steady_clock::now();
    c.send_line(request("Rogue.Never", 0, 1));
    c.send_line(request("Rogue.Late", 900, 2));
    for (int i = 0; i < 2; ++i) {
        std::string e = error_of(c.recv_line(3s));
        CHECK_THAT(e, Catch::Contains("300ms") && Catch::Contains("timeout"));
        CHECK((contains(e, "Rogue.Never") || contains(e, "Rogue.Late")));
    }
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 290ms);
    CHECK(took < 2s);
    // Rogue.Late's answer, 600 ms after its deadline, is refused.
    CHECK_THAT(wait_codes(d.port(), "late="), Catch::Contains("late=5"));
    // Go's dialect names it too.
    std::string go = call_line(c, R"({"method":"Rogue.Never","params":[{"Millis":0}],"id":7})", 3s);
    CHECK_THAT(go, Catch::Contains(R"("result":null)") && Catch::Contains("Rogue.Never"));
    CHECK(call_line(c, multiply(3)) == multiplied(3));
    CHECK(d.stop() == 0);
}

TEST_CASE("calls that time out stop counting against max_inflight_per_connection and max_inflight") {
    Daemon d(with_rogue("call_timeout = \"300ms\"\nmax_inflight_per_connection = 2\nmax_inflight = 3"));
    Connection a = Connection::tcp(d.port());
    // Two calls nobody answers fill the connection: reading pauses.
    a.send_line(request("Rogue.Never", 0, 1));
    a.send_line(request("Rogue.Never", 0, 2));
    a.send_line(multiply(3));
    Connection b = Connection::tcp(d.port());
    b.send_line(request("Rogue.Never", 0, 10));
    std::this_thread::sleep_for(100ms);
    // Three calls run daemon-wide: a fourth is refused at once.
    CHECK_THAT(call_line(b, multiply(11)), Catch::Contains("busy"));
    // At their deadline the calls end: the paused connection reads on.
    std::set<std::string> lines;
    for (int i = 0; i < 3; ++i) lines.insert(a.recv_line(3s));
    CHECK(lines.count(multiplied(3)) == 1);
    CHECK_THAT(b.recv_line(3s), Catch::Contains("Rogue.Never"));
    CHECK(call_line(b, multiply(12)) == multiplied(12));
    CHECK(d.stop() == 0);
}

TEST_CASE("per-method call timeouts (limits.call_timeouts) give a method or a service its own limit") {
    Daemon d(with_rogue("call_timeout = \"200ms\"\n[limits.call_timeouts]\n\"Rogue.Late\" = \"2s\"\n\"Slow\" = 0"));
    Connection c = Connection::tcp(d.port());
    c.send_line(request("Rogue.Late", 600, 1));
    c.send_line(request("Slow.Sleep", 500, 2));
    c.send_line(request("Rogue.Never", 0, 3));
    std::string first = c.recv_line(3s);
    CHECK_THAT(error_of(first), Catch::Contains("Rogue.Never") && Catch::Contains("200ms"));
    std::set<std::string> rest{c.recv_line(3s), c.recv_line(3s)};
    CHECK(rest.count(R"({"jsonrpc":"2.0","result":600,"id":1})") == 1);
    CHECK(rest.count(R"({"jsonrpc":"2.0","result":500,"id":2})") == 1);
    CHECK(d.stop() == 0);
}

TEST_CASE("a plugin reads the time left of a call and sees it cancelled at its deadline") {
    // In the daemon, and in a process of its own, where the deadline
    // crosses the channel (isolate/channel.hpp) as a time.
    bool isolated = GENERATE(false, true);
    INFO((isolated ? "isolated" : "in-process"));
    Daemon d(isolated ? isolated_rogue("call_timeout = \"400ms\"") : with_rogue("call_timeout = \"400ms\""));
    Connection c = Connection::tcp(d.port());
    CHECK_THAT(error_of(call_line(c, request("Rogue.Watch", 5000, 1), 3s)), Catch::Contains("Rogue.Watch"));
    std::string seen = wait_codes(d.port(), "watch.answer=");
    INFO(seen);
    CHECK(contains(seen, "watch.remaining_rc=0"));
    long left = recorded(seen, "watch.remaining_ms");
    CHECK(left > 200);
    CHECK(left <= 400);
    CHECK(contains(seen, "watch.cancelled=1"));
    CHECK(recorded(seen, "watch.after_ms") < 2000);
    CHECK(contains(seen, "watch.remaining_after_rc=5"));
    CHECK(contains(seen, "watch.answer=5"));
    CHECK(d.stop() == 0);
}

TEST_CASE("an isolated call that waited in its process behind a slow one has only what is left of its deadline") {
    // The daemon starts a call's deadline when it sends it to the plugin's
    // process; there it may wait behind calls read with it (Rogue.Spin
    // runs on the thread that reads the calls). What the plugin is told is
    // left must be what is left of the daemon's deadline, not a fresh one.
    Daemon d(isolated_rogue("call_timeout = \"400ms\""));
    Connection c = Connection::tcp(d.port());
    REQUIRE(contains(call_line(c, request("Rogue.Codes", 0, 9)), "result")); // the process is up
    // One write: read, sent to the process and read there together.
    c.send(request("Rogue.Spin", 300, 1) + "\n" + request("Rogue.Watch", 5000, 2) + "\n");
    std::string first = c.recv_line(3s), second = c.recv_line(3s);
    INFO(first << "\n" << second);
    CHECK(contains(first + second, R"("result":300)"));
    CHECK(error_of(contains(first, "Rogue.Watch") ? first : second) ==
          "Rogue.Watch: not answered within the call timeout (400ms)");
    std::string seen = wait_codes(d.port(), "watch.answer=");
    INFO(seen);
    long left = recorded(seen, "watch.remaining_ms");
    CHECK(left >= 0);
    CHECK(left <= 150); // 400 ms less the 300 the spin took, and a little
    CHECK(contains(seen, "watch.cancelled=1"));
    CHECK(d.stop() == 0);
}

TEST_CASE("an isolated call whose deadline passed while it waited in its process is not run") {
    // Its caller was told it timed out: the plugin must not run it later,
    // as a blocking call whose deadline passes in the pool's queue is not.
    Daemon d(isolated_rogue("call_timeout = \"200ms\""));
    Connection c = Connection::tcp(d.port());
    REQUIRE(contains(call_line(c, request("Rogue.Alloc", 0, 9)), R"("result":0)")); // the process is up
    // One write: Rogue.Alloc waits behind Rogue.Spin, which holds the
    // thread that reads the calls in the plugin's process past both deadlines.
    c.send(request("Rogue.Spin", 300, 1) + "\n" + request("Rogue.Alloc", 1, 2) + "\n");
    for (int i = 0; i < 2; ++i)
        CHECK_THAT(error_of(c.recv_line(3s)), Catch::EndsWith("not answered within the call timeout (200ms)"));
    // Read after the late one there: what Rogue holds says whether it ran.
    CHECK(call_line(c, request("Rogue.Alloc", 0, 3)) == R"({"jsonrpc":"2.0","result":0,"id":3})");
    CHECK(d.stop() == 0);
}

TEST_CASE("isolated calls that time out name the call timeout, whichever process sees the deadline first") {
    // The plugin's process holds the daemon's deadline too, and times a
    // call out there at the same moment: the caller's text is the daemon's
    // either way, as in-process, not the time that was left over there.
    Daemon d(isolated_rogue("call_timeout = \"200ms\""));
    Connection c = Connection::tcp(d.port());
    constexpr int kCalls = 100;
    std::string burst;
    for (int id = 1; id <= kCalls; ++id) burst += request("Rogue.Never", 0, id) + "\n";
    c.send(burst);
    std::map<std::string, int> texts;
    for (int i = 0; i < kCalls; ++i) ++texts[error_of(c.recv_line(5s))];
    std::string all;
    for (const auto& [text, n] : texts) all += std::to_string(n) + " x " + text + "\n";
    INFO(all);
    CHECK(texts["Rogue.Never: not answered within the call timeout (200ms)"] == kCalls);
    CHECK(d.stop() == 0);
}

TEST_CASE("blocking calls queued behind a busy pool time out too, without running") {
    Daemon d(with_rogue("call_timeout = \"300ms\"", "blocking_threads = 1\nmax_blocking_threads = 1\n"));
    Connection c = Connection::tcp(d.port());
    auto start = std::chrono::steady_clock::now();
    for (int i = 1; i <= 3; ++i) c.send_line(request("Slow.Sleep", 1500, i));
    for (int i = 1; i <= 3; ++i) CHECK_THAT(error_of(c.recv_line(3s)), Catch::Contains("Slow.Sleep") && Catch::Contains("300ms"));
    CHECK(std::chrono::steady_clock::now() - start < 1200ms);
    CHECK(d.stop() == 0);
}

TEST_CASE("SIGTERM exits within drain_timeout with blocking calls running and queued and a call never answered") {
    Daemon d(with_rogue({}, "blocking_threads = 1\nmax_blocking_threads = 1\ndrain_timeout = \"1s\"\n"));
    Connection c = Connection::tcp(d.port());
    for (int i = 1; i <= 3; ++i) c.send_line(request("Slow.Sleep", 10000, i));
    c.send_line(request("Rogue.Never", 0, 4));
    REQUIRE(c.quiet_for(200ms));
    auto start = std::chrono::steady_clock::now();
    REQUIRE(::kill(d.pid(), SIGTERM) == 0);
    auto status = d.wait_exit(6s);
    auto took = std::chrono::steady_clock::now() - start;
    INFO(d.log());
    REQUIRE(status);
    CHECK(*status == 0);
    // drain_timeout (1 s) plus the grace the daemon allows itself (2 s).
    CHECK(took < 4s);
    CHECK(d.log().find("drain timeout") != std::string::npos);
}

namespace {

// A JSON-RPC POST of `body` on the rpc path, as a client writes it.
std::string http_post(const std::string& body) {
    return "POST /_goRPC_ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Close `c` with a reset rather than a FIN (SO_LINGER 0), as a client
// killed with replies unread does.
void reset(Connection& c) {
    linger l{1, 0};
    REQUIRE(::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
    Connection gone = std::move(c);
}

// Rogue in the daemon or in a process of its own, with a call timeout far
// off (only the caller's going away ends Rogue.Watch early), up and serving.
std::unique_ptr<Daemon> watching(bool isolated) {
    auto d = std::make_unique<Daemon>(isolated ? isolated_rogue("call_timeout = \"20s\"")
                                               : with_rogue("call_timeout = \"20s\""));
    REQUIRE(contains(codes(d->port()), "")); // the plugin (and its process) is up
    return d;
}

// Rogue.Watch saw its call end well before its own bound of 5 s, was told
// so by call_cancelled, and its answer was refused.
void check_cancelled(const std::string& seen) {
    INFO(seen);
    CHECK(contains(seen, "watch.cancelled=1"));
    CHECK(recorded(seen, "watch.after_ms") < 2000);
    CHECK(contains(seen, "watch.answer=5"));
}

} // namespace

TEST_CASE("a call whose HTTP client went away is cancelled: the plugin reads call_cancelled 1 at once") {
    // An HTTP client waiting for its response does not half-close: the end
    // of its connection is the client gone. In the daemon, and in a plugin
    // process, where the daemon tells the process (a Cancel frame).
    bool isolated = GENERATE(false, true);
    INFO((isolated ? "isolated" : "in-process"));
    auto d = watching(isolated);
    {
        Connection c = Connection::tcp(d->port());
        c.send(http_post(request("Rogue.Watch", 5000, 1)));
        REQUIRE(c.quiet_for(300ms)); // it waits for its answer
    } // closed: the client gives up
    check_cancelled(wait_codes(d->port(), "watch.answer="));
    // A reset the same.
    {
        Connection c = Connection::tcp(d->port());
        c.send(http_post(request("Rogue.Watch", 5000, 2)));
        REQUIRE(c.quiet_for(300ms));
        reset(c);
    }
    std::string seen = wait_codes(d->port(), "watch.answer=", 2);
    CHECK(count(seen, "watch.cancelled=1") == 2);
    CHECK(count(seen, "watch.answer=5") == 2);
    CHECK(contains(HttpClient(d->port()).get("/metrics").body, "plugrpc_calls_cancelled_total{reason=\"caller_gone\"} 2\n"));
    // A client that stays is answered, and the connection serves on.
    HttpClient http(d->port());
    HttpResponse r = http.raw(http_post(request("Rogue.Watch", 100, 3)));
    CHECK(r.status == 200);
    CHECK(contains(r.body, R"("result":1)"));
    // A request pipelined behind a waiting one ends the watch (its bytes
    // wait in the socket) and is read and answered after the first.
    Connection p = Connection::tcp(d->port());
    p.send(http_post(request("Rogue.Watch", 300, 4)) + http_post(request("Rogue.Watch", 0, 5)));
    std::string both = p.recv_until(R"("id":5})", 5s);
    INFO(both);
    CHECK(both.find(R"({"jsonrpc":"2.0","result":1,"id":4})") < both.find(R"({"jsonrpc":"2.0","result":1,"id":5})"));
    CHECK(!contains(both, "100 Continue"));
    CHECK(count(wait_codes(d->port(), "watch.answer=", 5), "watch.cancelled=0") == 3);
    CHECK(d->running());
    CHECK(d->stop() == 0);
}

TEST_CASE("an HTTP client that only shut down its sending side still gets its response, after a 100 Continue") {
    // `printf ... | nc -N`: the end of the stream, and the client reads on.
    // The daemon tells it from a closed client by an interim 100 Continue,
    // which a closed socket answers with a reset. HTTP/1.0 may not be sent
    // one: its end of stream is the client gone, as for nginx and Go.
    bool isolated = GENERATE(false, true);
    INFO((isolated ? "isolated" : "in-process"));
    auto d = watching(isolated);
    Connection c = Connection::tcp(d->port());
    c.send(http_post(request("Rogue.Watch", 400, 1)));
    c.shutdown_write();
    std::string got = c.recv_all(5s);
    INFO(got);
    CHECK(got.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(contains(got, R"({"jsonrpc":"2.0","result":1,"id":1})"));
    std::string seen = wait_codes(d->port(), "watch.answer=");
    CHECK(contains(seen, "watch.cancelled=0"));
    CHECK(contains(seen, "watch.answer=0"));
    // HTTP/1.0, closed the same way: gone.
    Connection old = Connection::tcp(d->port());
    std::string body = request("Rogue.Watch", 5000, 2);
    old.send("POST /_goRPC_ HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body);
    old.shutdown_write();
    CHECK(old.recv_all(5s).empty());
    seen = wait_codes(d->port(), "watch.answer=", 2);
    INFO(seen);
    CHECK(count(seen, "watch.cancelled=1") == 1);
    CHECK(count(seen, "watch.answer=5") == 1);
    CHECK(d->stop() == 0);
}

TEST_CASE("a call whose stream connection was reset is cancelled, and a half-closed stream is still answered") {
    // A gob or JSON-RPC stream may shut down its sending side and wait for
    // its answers (Go's server answers it): only a reset, or a write that
    // fails, is the caller gone there.
    bool isolated = GENERATE(false, true);
    INFO((isolated ? "isolated" : "in-process"));
    auto d = watching(isolated);
    {
        Connection c = Connection::tcp(d->port());
        c.send_line(request("Rogue.Watch", 5000, 1));
        REQUIRE(c.quiet_for(300ms));
        reset(c);
    }
    check_cancelled(wait_codes(d->port(), "watch.answer="));
    Connection c = Connection::tcp(d->port());
    c.send_line(request("Rogue.Watch", 300, 2));
    c.shutdown_write();
    CHECK(c.recv_line(5s) == R"({"jsonrpc":"2.0","result":1,"id":2})");
    std::string seen = wait_codes(d->port(), "watch.answer=", 2);
    INFO(seen);
    CHECK(contains(seen, "watch.cancelled=0"));
    CHECK(contains(seen, "watch.answer=0"));
    CHECK(d->stop() == 0);
}
