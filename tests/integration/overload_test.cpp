// max_concurrency per method: beyond it a call fails at once, in the
// words of its protocol, so that a balancer or client retries elsewhere;
// the method's other calls and other methods go on.
#include "arith_types.hpp"
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <plugrpc/client.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <thread>

namespace overload_test {

using namespace plugrpc::test;

namespace {

const std::string kText = "plugrpc: Slow.Sleep overloaded: 2 calls in flight (max_concurrency 2)";

DaemonOptions limited() {
    DaemonOptions o;
    o.plugins = {arith_plugin(), slow_plugin()};
    o.extra_config = "[limits.max_concurrency]\n\"Slow.Sleep\" = 2\n";
    return o;
}

// Wait until /metrics shows `n` calls in flight.
bool wait_inflight(const Daemon& d, int n) {
    std::string want = "plugrpc_calls_in_flight " + std::to_string(n) + "\n";
    for (int i = 0; i < 150; ++i) {
        HttpClient admin(d.port());
        if (contains(admin.get("/metrics").body, want)) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

} // namespace

TEST_CASE("max_concurrency: the call beyond it fails at once over JSON-RPC 2.0, Go's jsonrpc, HTTP and gob") {
    Daemon d(limited());
    Connection slow = Connection::tcp(d.port());
    slow.send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":3000},"id":1})");
    slow.send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":3000},"id":2})");
    REQUIRE(wait_inflight(d, 2));

    Connection json = Connection::tcp(d.port());
    CHECK(call_line(json, R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":1},"id":3})") ==
          R"({"jsonrpc":"2.0","error":{"code":-32002,"message":")" + kText + R"("},"id":3})");
    Connection go = Connection::tcp(d.port());
    CHECK(call_line(go, R"({"method":"Slow.Sleep","params":[{"Millis":1}],"id":4})") ==
          R"({"id":4,"result":null,"error":")" + kText + R"("})");
    HttpClient http(d.port());
    HttpResponse r = http.post("/_goRPC_", R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":1},"id":5})");
    CHECK(r.status == 503);
    CHECK(r.body == R"({"jsonrpc":"2.0","error":{"code":-32002,"message":")" + kText + "\"},\"id\":5}\n");
    plugrpc::client::Options gob_options;
    gob_options.protocol = plugrpc::client::Protocol::Gob;
    auto gob = plugrpc::client::Client::connect("127.0.0.1:" + std::to_string(d.port()), gob_options);
    REQUIRE(gob.has_value());
    auto refused = gob->call<std::int64_t>("Slow.Sleep", SleepArgs{1});
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == plugrpc::client::ErrorKind::Server);
    CHECK(refused.error().message == kText);

    // The client library over HTTP reads the 503's JSON-RPC answer as the
    // server's answer, as on the other protocols.
    plugrpc::client::Options http_options;
    http_options.protocol = plugrpc::client::Protocol::Http;
    auto over_http = plugrpc::client::Client::connect("127.0.0.1:" + std::to_string(d.port()), http_options);
    REQUIRE(over_http.has_value());
    auto refused_http = over_http->call<std::int64_t>("Slow.Sleep", SleepArgs{1});
    REQUIRE_FALSE(refused_http.has_value());
    CHECK(refused_http.error().kind == plugrpc::client::ErrorKind::Server);
    CHECK(refused_http.error().message == kText);

    // Other methods are not held; the connections serve on.
    CHECK(call_line(json, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":[6,7],"id":6})") ==
          R"({"jsonrpc":"2.0","result":42,"id":6})");
    auto product = gob->call<std::int64_t>("Arith.Multiply", Args{6, 7});
    REQUIRE(product.has_value());
    CHECK(*product == 42);

    std::set<std::string> answers{slow.recv_line(6s), slow.recv_line(6s)}; // in the order they finish
    CHECK(answers == std::set<std::string>{R"({"jsonrpc":"2.0","result":3000,"id":1})",
                                           R"({"jsonrpc":"2.0","result":3000,"id":2})"});
    // Their places are free again.
    CHECK(call_line(json, R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":1},"id":7})") ==
          R"({"jsonrpc":"2.0","result":1,"id":7})");
    HttpClient admin(d.port());
    std::string metrics = admin.get("/metrics").body;
    CHECK(contains(metrics, "plugrpc_calls_rejected_total{service=\"Slow\",method=\"Sleep\",reason=\"overloaded\"} 5\n"));
    CHECK(contains(metrics, "plugrpc_calls_rejected_total{service=\"Arith\",method=\"Multiply\",reason=\"overloaded\"} 0\n"));
    CHECK(contains(metrics, "plugrpc_limit_exceeded_total{limit=\"max_concurrency\"} 5\n"));
}

TEST_CASE("max_concurrency: a call that timed out or whose connection closed gives its place back") {
    DaemonOptions o = limited();
    o.extra_config = "[limits.max_concurrency]\n\"Slow\" = 1\n[limits.call_timeouts]\n\"Slow.Sleep\" = \"300ms\"\n";
    Daemon d(o);
    Connection c = Connection::tcp(d.port());
    // Times out after 300 ms while the plugin still sleeps: the place is free.
    CHECK_THAT(call_line(c, R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":2000},"id":1})"),
               Catch::Contains("not answered within the call timeout (300ms)"));
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":1},"id":2})") ==
          R"({"jsonrpc":"2.0","result":1,"id":2})");
    {
        Connection gone = Connection::tcp(d.port());
        gone.send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":200},"id":3})");
        REQUIRE(wait_inflight(d, 1));
    } // closed with the call in flight
    REQUIRE(wait_inflight(d, 0));
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":1},"id":4})") ==
          R"({"jsonrpc":"2.0","result":1,"id":4})");
}

} // namespace overload_test
