// A reload or rescan replaces a plugin only with one that loads: a file
// caught half-copied (SIGHUP during a slow in-place copy) or broken leaves
// the version already loaded from it serving.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <thread>

using namespace plugrpc::test;

// Named, not anonymous: unity builds compile this file with others
// (operate_test.cpp has helpers of the same names).
namespace reload_keeps {

std::filesystem::path version_plugin(char tag) {
    return tag == 'a' ? PLUGRPC_TEST_VERSION_A_PLUGIN : PLUGRPC_TEST_VERSION_B_PLUGIN;
}

// Version.Get: "a", "b", or the error message.
std::string version_of(std::uint16_t port) {
    Connection c = Connection::tcp(port);
    auto reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Version.Get","params":{},"id":1})"));
    if (has_member(reply, "result")) return std::string(member(reply, "result").as_string());
    return std::string(member(member(reply, "error"), "message").as_string());
}

// Overwrite `file` in place (same inode, as cp does) with `bytes`.
void overwrite(const std::filesystem::path& file, std::string_view bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

bool wait_for_version(std::uint16_t port, const std::string& want, Millis limit = 5s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (version_of(port) == want) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}



TEST_CASE("a half-copied replacement found by SIGHUP leaves the loaded version serving until the copy is whole") {
    DaemonOptions o;
    o.plugins = {arith_plugin()};
    Daemon d(o);
    auto target = d.plugin_dir() / "version.so";
    std::filesystem::copy_file(version_plugin('a'), target);
    REQUIRE(wait_for_version(d.port(), "a"));

    std::string b = read_file(version_plugin('b'));
    overwrite(target, std::string_view(b).substr(0, b.size() / 2));
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    REQUIRE(d.wait_for_log("SIGHUP: reloading"));
    REQUIRE(d.wait_for_log("version.so skipped"));
    CHECK(d.wait_for_log("keeps serving"));
    for (int i = 0; i < 5; ++i) CHECK(version_of(d.port()) == "a");

    // Not an ELF file at all: the same.
    overwrite(target, "this is not a plugin");
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    std::this_thread::sleep_for(300ms);
    CHECK(version_of(d.port()) == "a");

    // The copy completes: b takes over.
    overwrite(target, b);
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    CHECK(wait_for_version(d.port(), "b"));
    CHECK(d.running());
    CHECK(d.stop() == 0);
}

} // namespace reload_keeps
