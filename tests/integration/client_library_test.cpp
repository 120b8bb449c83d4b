// The C++ client library against the real daemon: typed calls over every
// protocol, server errors told from transport errors, timeouts, and Go's
// "connection is shut down".
#include "arith_types.hpp"
#include "daemon.hpp"

#include <plugrpc/client.hpp>

#include <catch2/catch.hpp>

#include <thread>

using namespace plugrpc::test;
namespace client = plugrpc::client;
using client::ErrorKind;
using client::Protocol;

namespace {

std::string tcp_address(const Daemon& d) { return "127.0.0.1:" + std::to_string(d.port()); }

client::Client connect(const std::string& address, Protocol p, client::Options o = {}) {
    o.protocol = p;
    auto c = client::Client::connect(address, o);
    if (!c) FAIL("connect " << address << ": " << c.error().message);
    return std::move(*c);
}

const char* name(Protocol p) {
    switch (p) {
    case Protocol::Json: return "json";
    case Protocol::JsonGo: return "json-go";
    case Protocol::Gob: return "gob";
    case Protocol::GobHttp: return "gob-http";
    case Protocol::Http: return "http";
    }
    return "?";
}

} // namespace

TEST_CASE("client.call<std::int64_t>(\"Arith.Multiply\", Args{7, 8}) is 56 over json, gob, gob-http and http") {
    Daemon d;
    for (Protocol p : {Protocol::Json, Protocol::Gob, Protocol::GobHttp, Protocol::Http}) {
        INFO(name(p));
        auto c = connect(tcp_address(d), p);
        auto r = c.call<std::int64_t>("Arith.Multiply", Args{7, 8});
        REQUIRE(r.has_value());
        CHECK(*r == 56);
        auto q = c.call<Quotient>("Arith.Divide", Args{17, 8});
        REQUIRE(q.has_value());
        CHECK(q->Quo == 2);
        CHECK(q->Rem == 1);
    }
}

TEST_CASE("a client reaches the daemon over a unix socket") {
    DaemonOptions o;
    o.listen = {"unix://{dir}/s.sock"};
    Daemon d(o);
    std::string address = "unix:" + (d.dir() / "s.sock").string();
    for (Protocol p : {Protocol::Json, Protocol::Gob}) {
        INFO(name(p));
        auto c = connect(address, p);
        auto r = c.call<std::int64_t>("Arith.Multiply", Args{6, 7});
        REQUIRE(r.has_value());
        CHECK(*r == 42);
    }
}

TEST_CASE("a method's error reaches the client as a Server error with its text, verbatim") {
    Daemon d;
    for (Protocol p : {Protocol::Json, Protocol::Gob, Protocol::Http}) {
        INFO(name(p));
        auto c = connect(tcp_address(d), p);
        auto r = c.call<Quotient>("Arith.Divide", Args{1, 0});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().kind == ErrorKind::Server);
        CHECK(r.error().message == "divide by zero");
        // The connection goes on.
        CHECK(c.call<std::int64_t>("Arith.Multiply", Args{2, 3}).value() == 6);
    }
}

TEST_CASE("an unknown method over gob is Go's own error text, over JSON-RPC 2.0 it has code -32601") {
    Daemon d;
    auto gob = connect(tcp_address(d), Protocol::Gob);
    auto r = gob.call<std::int64_t>("Arith.Nope", Args{1, 2});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::Server);
    CHECK(r.error().message == "rpc: can't find method Arith.Nope");

    auto json = connect(tcp_address(d), Protocol::Json);
    r = json.call<std::int64_t>("Arith.Nope", Args{1, 2});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::Server);
    CHECK(r.error().code == -32601);
}

TEST_CASE("a reply that does not fit the Reply type is a Reply error, and the connection goes on") {
    Daemon d;
    auto c = connect(tcp_address(d), Protocol::Json);
    auto r = c.call<std::string>("Arith.Multiply", Args{7, 8});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::Reply);
    CHECK(c.call<std::int64_t>("Arith.Multiply", Args{7, 8}).value() == 56);
}

TEST_CASE("value() of a failed call throws CallFailed carrying the error") {
    Daemon d;
    auto c = connect(tcp_address(d), Protocol::Json);
    try {
        (void)c.call<Quotient>("Arith.Divide", Args{1, 0}).value();
        FAIL("no exception");
    } catch (const client::CallFailed& e) {
        CHECK(std::string(e.what()) == "divide by zero");
        CHECK(e.error().kind == ErrorKind::Server);
    }
}

TEST_CASE("connecting to a closed port is a Transport error") {
    std::uint16_t port = 0;
    {
        Daemon d;
        port = d.port();
    } // stopped: nothing listens there now
    auto c = client::Client::connect("127.0.0.1:" + std::to_string(port));
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().kind == ErrorKind::Transport);
    CHECK(c.error().message.find("Connection refused") != std::string::npos);
}

TEST_CASE("a call with no reply within its timeout fails with Timeout and the connection stays usable") {
    DaemonOptions o;
    o.plugins.push_back(slow_plugin());
    Daemon d(o);
    for (Protocol p : {Protocol::Json, Protocol::Gob}) {
        INFO(name(p));
        auto c = connect(tcp_address(d), p);
        auto started = std::chrono::steady_clock::now();
        auto r = c.call<std::int64_t>("Slow.Sleep", SleepArgs{2000}, 200ms);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().kind == ErrorKind::Timeout);
        CHECK(std::chrono::steady_clock::now() - started < 1500ms);
        // The late reply is dropped; later calls are answered.
        CHECK(c.call<std::int64_t>("Arith.Multiply", Args{3, 3}).value() == 9);
        CHECK(c.call<std::int64_t>("Slow.Sleep", SleepArgs{10}).value() == 10);
    }
}

TEST_CASE("a synchronous call from a callback fails with a Usage error instead of deadlocking") {
    Daemon d;
    auto c = connect(tcp_address(d), Protocol::Json);
    std::promise<client::Result<std::int64_t>> inner;
    c.call_async<std::int64_t>("Arith.Multiply", Args{1, 1}, [&](client::Result<std::int64_t>) {
        inner.set_value(c.call<std::int64_t>("Arith.Multiply", Args{2, 2}));
    });
    auto f = inner.get_future();
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    auto r = f.get();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::Usage);
}

TEST_CASE("calls beyond max_inflight fail at once with a Usage error") {
    DaemonOptions o;
    o.plugins.push_back(slow_plugin());
    Daemon d(o);
    client::Options opts;
    opts.max_inflight = 2;
    auto c = connect(tcp_address(d), Protocol::Json, opts);
    auto a = c.call_future<std::int64_t>("Slow.Sleep", SleepArgs{300});
    auto b = c.call_future<std::int64_t>("Slow.Sleep", SleepArgs{300});
    auto r = c.call<std::int64_t>("Arith.Multiply", Args{1, 1});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::Usage);
    CHECK(r.error().message == "too many calls in flight (limit 2)");
    CHECK(a.get().value() == 300);
    CHECK(b.get().value() == 300);
    CHECK(c.call<std::int64_t>("Arith.Multiply", Args{1, 1}).value() == 1);
}

TEST_CASE("a reply longer than max_reply_bytes breaks the connection with a Transport error") {
    DaemonOptions o;
    o.plugins.push_back(PLUGRPC_TEST_KITCHEN_PLUGIN);
    Daemon d(o);
    for (Protocol p : {Protocol::Json, Protocol::Gob}) {
        INFO(name(p));
        client::Options opts;
        opts.max_reply_bytes = 1024;
        auto c = connect(tcp_address(d), p, opts);
        CHECK(c.call<std::string>("Kitchen.Concat", std::vector<std::string>{"a", "b"}).value() == "ab");
        auto r = c.call<std::string>("Kitchen.Concat", std::vector<std::string>(3, std::string(500, 'x')));
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().kind == ErrorKind::Transport);
        CHECK(r.error().message.find("limit of 1024 bytes") != std::string::npos);
        CHECK(c.is_shut_down());
    }
}
