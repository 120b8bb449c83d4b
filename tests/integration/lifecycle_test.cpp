// Stopping: SIGTERM ends the daemon cleanly, after answering the calls it
// has already received.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

using namespace plugrpc::test;

TEST_CASE("SIGTERM stops the daemon with exit status 0") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1})") ==
          R"({"id":1,"result":56,"error":null})");
    CHECK(d.stop() == 0);
    CHECK(d.log().find("stopped") != std::string::npos);
}

TEST_CASE("SIGTERM right after start-up stops the daemon cleanly") {
    Daemon d;
    CHECK(d.stop() == 0);
    CHECK(d.log().find("stopped") != std::string::npos);
}

TEST_CASE("SIGTERM answers a call in flight before the daemon exits") {
    DaemonOptions o;
    o.plugins = {arith_plugin(), slow_plugin()};
    Daemon d(o);
    Connection c = Connection::tcp(d.port());
    c.send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":500},"id":1})");
    // Let the call reach the plugin before the signal.
    REQUIRE(c.quiet_for(150ms));
    ::kill(d.pid(), SIGTERM);
    CHECK(c.recv_line(3s) == R"({"jsonrpc":"2.0","result":500,"id":1})");
    CHECK(d.wait_exit(10s) == 0);
}
