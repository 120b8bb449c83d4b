// A slow method holds up nothing else: not other calls on its connection,
// not other connections. Slow.Sleep (tests/plugins/slow) is registered as
// blocking and sleeps as long as it is asked.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace plugrpc::test;
namespace json = boost::json;

namespace {

DaemonOptions with_slow() {
    DaemonOptions o;
    o.plugins = {arith_plugin(), slow_plugin()};
    return o;
}

constexpr std::string_view kSleep = R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":500},"id":1})";
constexpr std::string_view kMultiply = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":2})";

} // namespace

TEST_CASE("a slow call does not hold up a later call on the same connection: replies come out of order") {
    Daemon d(with_slow());
    Connection c = Connection::tcp(d.port());
    c.send(std::string(kSleep) + "\n" + std::string(kMultiply) + "\n");
    CHECK(c.recv_line() == R"({"jsonrpc":"2.0","result":56,"id":2})");
    CHECK(c.recv_line() == R"({"jsonrpc":"2.0","result":500,"id":1})");
}

TEST_CASE("Go-shaped calls on one connection are answered as they finish, ids matching") {
    Daemon d(with_slow());
    Connection c = Connection::tcp(d.port());
    c.send(R"({"method":"Slow.Sleep","params":[{"Millis":400}],"id":10})"
           R"({"method":"Arith.Divide","params":[{"A":17,"B":8}],"id":11})");
    CHECK(c.recv_line() == R"({"id":11,"result":{"Quo":2,"Rem":1},"error":null})");
    CHECK(c.recv_line() == R"({"id":10,"result":400,"error":null})");
}

TEST_CASE("a slow call does not hold up other connections") {
    Daemon d(with_slow());
    Connection slow = Connection::tcp(d.port());
    slow.send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":1000},"id":1})");

    Connection fast = Connection::tcp(d.port());
    CHECK(call_line(fast, kMultiply) == R"({"jsonrpc":"2.0","result":56,"id":2})");
    HttpClient http(d.port());
    CHECK(http.get("/healthz").status == 200);
    CHECK(http.post("/_goRPC_", kMultiply).status == 200);
    // All of that was served while the slow call was still running.
    CHECK(slow.quiet_for(0ms));

    CHECK(slow.recv_line() == R"({"jsonrpc":"2.0","result":1000,"id":1})");
}

TEST_CASE("several blocking calls on one connection run at the same time") {
    Daemon d(with_slow());
    Connection c = Connection::tcp(d.port());
    // Each Meet waits until all three are running at once; run one after
    // another, none would ever see the others and all three would fail.
    std::string burst;
    for (int id = 1; id <= 3; ++id)
        burst += R"({"jsonrpc":"2.0","method":"Slow.Meet","params":{"Parties":3,"TimeoutMillis":3000},"id":)" +
                 std::to_string(id) + "}\n";
    c.send(burst);
    std::set<std::int64_t> ids;
    for (int i = 0; i < 3; ++i) {
        json::value reply = parse_json(c.recv_line());
        INFO(json::serialize(reply));
        CHECK(member(reply, "result") == 3);
        ids.insert(member(reply, "id").as_int64());
    }
    CHECK(ids == std::set<std::int64_t>{1, 2, 3});
}

TEST_CASE("a client that half-closes after its requests gets exactly their replies, then the close") {
    // printf '...' | nc -q1 localhost 1234, with a call still running at the close.
    Daemon d(with_slow());
    Connection c = Connection::tcp(d.port());
    c.send(std::string(kSleep) + "\n" + std::string(kMultiply) + "\n");
    c.shutdown_write();
    CHECK(c.recv_all() == "{\"jsonrpc\":\"2.0\",\"result\":56,\"id\":2}\n"
                          "{\"jsonrpc\":\"2.0\",\"result\":500,\"id\":1}\n");
}
