// Limits: a daemon that refuses work it cannot take, quickly and clearly.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <plugrpc/client.hpp>

#include <catch2/catch.hpp>

#include <thread>

using namespace plugrpc::test;

TEST_CASE("over max_connections a new connection is closed at once and the others keep serving") {
    DaemonOptions o;
    o.extra_config = "[limits]\nmax_connections = 2\n";
    Daemon d(o);
    // Connections count from accept, before they have said anything.
    Connection a = Connection::tcp(d.port()), b = Connection::tcp(d.port());
    std::this_thread::sleep_for(200ms);
    Connection c = Connection::tcp(d.port());
    CHECK(c.closed_by_peer(5s));
    CHECK(call_line(b, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[2,4],"id":1})") ==
          R"({"jsonrpc":"2.0","result":8,"id":1})");
    CHECK(call_line(a, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[2,5],"id":2})") ==
          R"({"jsonrpc":"2.0","result":10,"id":2})");
    a.shutdown_write();
    CHECK(a.closed_by_peer(5s));
    HttpClient admin(d.port());
    CHECK(admin.get("/metrics").body.find("plugrpc_limit_exceeded_total{limit=\"max_connections\"} 1\n") !=
          std::string::npos);
}

TEST_CASE("/metrics counts exactly the calls made, by outcome") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    for (int i = 0; i < 5; ++i)
        call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[2,3],"id":1})");
    for (int i = 0; i < 3; ++i)
        call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Divide","params":[1,0],"id":1})");
    std::string m = HttpClient(d.port()).get("/metrics").body;
    CHECK(m.find("plugrpc_calls_total{service=\"Arith\",method=\"Multiply\",outcome=\"ok\"} 5\n") != std::string::npos);
    CHECK(m.find("plugrpc_calls_total{service=\"Arith\",method=\"Divide\",outcome=\"error\"} 3\n") != std::string::npos);
    CHECK(m.find("plugrpc_call_duration_seconds_count{service=\"Arith\",method=\"Multiply\"} 5\n") != std::string::npos);
    CHECK(m.find("plugrpc_connections_open{protocol=\"json\"} 1\n") != std::string::npos);
}

TEST_CASE("over max_inflight a new call gets a fast server-busy error") {
    DaemonOptions o;
    o.plugins.push_back(slow_plugin());
    o.extra_config = "[limits]\nmax_inflight = 1\n";
    Daemon d(o);
    Connection slow = Connection::tcp(d.port());
    slow.send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":1500},"id":1})");
    std::this_thread::sleep_for(300ms);
    Connection c = Connection::tcp(d.port());
    auto start = std::chrono::steady_clock::now();
    auto r = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[2,3],"id":2})"));
    CHECK(std::chrono::steady_clock::now() - start < 1s);
    CHECK(member(member(r, "error"), "code").as_int64() == -32001);
    CHECK(std::string(member(member(r, "error"), "message").as_string()).find("server busy") == 0);
    CHECK(slow.recv_line(5s) == R"({"jsonrpc":"2.0","result":1500,"id":1})");
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[2,3],"id":3})") ==
          R"({"jsonrpc":"2.0","result":6,"id":3})");
}

TEST_CASE("an HTTP request trickled slower than header_timeout is cut off") {
    DaemonOptions o;
    o.extra_config = "[limits]\nheader_timeout = \"500ms\"\n";
    Daemon d(o);
    Connection c = Connection::tcp(d.port());
    c.send("POST /_goRPC_ HTTP/1.1\r\nHost: x\r\n");
    CHECK(c.closed_by_peer(5s));
    HttpClient good(d.port());
    CHECK(good.get("/healthz").status == 200);
}

TEST_CASE("on a kept-alive HTTP connection the next request, trickled, is cut off by header_timeout, not idle_timeout") {
    DaemonOptions o;
    o.extra_config = "[limits]\nheader_timeout = \"500ms\"\nidle_timeout = \"60s\"\n";
    Daemon d(o);
    HttpClient http(d.port());
    REQUIRE(http.get("/healthz").status == 200);
    Connection& c = http.connection();
    c.send("POST /_goRPC_ HTTP/1.1\r\n");
    std::this_thread::sleep_for(300ms);
    c.send("Host: x\r\n");
    auto start = std::chrono::steady_clock::now();
    CHECK(c.closed_by_peer(5s));
    CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("a kept-alive HTTP connection in use outlives idle_timeout, and once idle is closed after it") {
    DaemonOptions o;
    o.extra_config = "[limits]\nheader_timeout = \"300ms\"\nidle_timeout = \"1s\"\n";
    Daemon d(o);
    HttpClient http(d.port());
    for (int i = 0; i < 6; ++i) { // 2.4 s in use: past idle_timeout, and past header_timeout many times
        REQUIRE(http.get("/healthz").status == 200);
        std::this_thread::sleep_for(400ms);
    }
    auto start = std::chrono::steady_clock::now();
    CHECK(http.connection().closed_by_peer(5s));
    auto waited = std::chrono::steady_clock::now() - start; // idle_timeout less the 400 ms slept
    CHECK(waited > 350ms);
    CHECK(waited < 2s);
}

TEST_CASE("an HTTP request under way has header_timeout even where idle_timeout is shorter") {
    DaemonOptions o;
    o.extra_config = "[limits]\nheader_timeout = \"3s\"\nidle_timeout = \"400ms\"\n";
    Daemon d(o);
    HttpClient http(Connection::tcp(d.port()));
    std::string body = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[6,7],"id":1})";
    http.connection().send("POST /_goRPC_ HTTP/1.1\r\nHost: x\r\n");
    std::this_thread::sleep_for(1200ms); // three idle timeouts
    auto r = http.raw("Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n" + body);
    CHECK(r.status == 200);
    CHECK(r.body == R"({"jsonrpc":"2.0","result":42,"id":1})" "\n");
}

TEST_CASE("a gob argument over max_message_bytes is answered with the limit, and the connection serves on") {
    // Go's client sends the header (with its Seq) before the argument: the
    // call is answered, not the connection dropped (Go would see "broken
    // pipe", then "connection is shut down" for every later call).
    plugrpc::test::DaemonOptions o;
    o.plugins.push_back(PLUGRPC_TEST_KITCHEN_PLUGIN);
    o.extra_config = "[limits]\nmax_message_bytes = 4096\n";
    plugrpc::test::Daemon d(o);
    plugrpc::client::Options co;
    co.protocol = plugrpc::client::Protocol::Gob;
    auto c = plugrpc::client::Client::connect("127.0.0.1:" + std::to_string(d.port()), co);
    REQUIRE(c.has_value());
    auto big = c->call<std::string>("Kitchen.Concat", std::vector<std::string>{std::string(100000, 'x')});
    REQUIRE(!big.has_value());
    // 100,000 bytes of text and the gob framing around them.
    CHECK_THAT(big.error().message, Catch::Matches("gob: argument of 1000[0-9]{2} bytes exceeds the server's limit "
                                                   "of 4096 bytes"));
    auto small = c->call<std::string>("Kitchen.Concat", std::vector<std::string>{"a", "b"});
    REQUIRE(small.has_value());
    CHECK(*small == "ab");
    CHECK(!c->is_shut_down());
}
