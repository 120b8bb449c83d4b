// Unloading a plugin whose own thread still holds a call: the answer
// arrives, and the plugin is unloaded on a thread of the daemon's, never on
// the plugin's (its code would be unmapped under it).
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace plugrpc::test;

TEST_CASE("a plugin removed while its own thread answers a call is unloaded after the answer, and the daemon lives") {
    DaemonOptions o;
    o.plugins = {arith_plugin(), PLUGRPC_TEST_LATER_PLUGIN};
    Daemon d(o);
    Connection c = Connection::tcp(d.port());
    for (int i = 1; i <= 3; ++i)
        c.send_line(R"({"jsonrpc":"2.0","method":"Later.Echo","params":{"Millis":)" + std::to_string(400 + 100 * i) +
                    R"(},"id":)" + std::to_string(i) + "}");

    std::filesystem::remove(d.plugin_dir() / std::filesystem::path(PLUGRPC_TEST_LATER_PLUGIN).filename());
    REQUIRE(d.wait_for_log("unloading plugin later"));

    for (int i = 1; i <= 3; ++i)
        CHECK(c.recv_line() == R"({"jsonrpc":"2.0","result":)" + std::to_string(400 + 100 * i) + R"(,"id":)" +
                                   std::to_string(i) + "}");
    // The plugin is gone from the registry; the daemon still serves.
    c.send_line(R"({"jsonrpc":"2.0","method":"Later.Echo","params":{"Millis":1},"id":4})");
    CHECK_THAT(c.recv_line(), Catch::Contains("-32601"));
    c.send_line(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":5})");
    CHECK(c.recv_line() == R"({"jsonrpc":"2.0","result":42,"id":5})");
    CHECK(d.running());
    CHECK(d.stop() == 0);
}
