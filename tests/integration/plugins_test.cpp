// Plugin folders as an operator fills them: a file that is not a plugin is
// reported by name, and the good plugins beside it keep serving.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <sstream>

using namespace plugrpc::test;
namespace json = boost::json;

namespace {

// Bytes that are no ELF object, long enough for the loader to read a header.
const std::string kGarbage = std::string("this is not a shared object, just text dropped in the folder\n") +
                             std::string(200, 'x');

std::string line_naming(const std::string& log, const std::string& what) {
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);)
        if (line.find(what) != std::string::npos) return line;
    return {};
}

} // namespace

TEST_CASE("a garbage broken.so beside arith.so is logged by name with the reason, and Arith is still served") {
    DaemonOptions o;
    o.plugin_files = {{"broken.so", kGarbage}};
    Daemon d(o);
    std::string broken = (d.plugin_dir() / "broken.so").string();
    std::string line = line_naming(d.log(), broken);
    INFO("log:\n" << d.log());
    REQUIRE(!line.empty());
    // The loader's reason: the dynamic linker found no ELF header.
    CHECK(line.find("ELF") != std::string::npos);
    CHECK(line.find("error") != std::string::npos); // logged at error level

    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})") ==
          R"({"jsonrpc":"2.0","result":56,"id":1})");
}

TEST_CASE("the start-up log names the listener and each loaded service with its plugin file") {
    Daemon d;
    std::string log = d.log();
    INFO("log:\n" << log);
    CHECK(log.find("listening on tcp://127.0.0.1:" + std::to_string(d.port())) != std::string::npos);
    std::string loaded = line_naming(log, (d.plugin_dir() / "arith.so").string());
    CHECK(loaded.find("Arith") != std::string::npos);
}

TEST_CASE("an empty file named .so is skipped with a reason and the daemon still starts") {
    DaemonOptions o;
    o.plugin_files = {{"empty.so", ""}};
    Daemon d(o);
    INFO("log:\n" << d.log());
    CHECK(!line_naming(d.log(), (d.plugin_dir() / "empty.so").string()).empty());
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"method":"Arith.Multiply","params":[{"A":2,"B":21}],"id":1})") ==
          R"({"id":1,"result":42,"error":null})");
}

TEST_CASE("a service registered by two plugins is refused naming both files and the first keeps serving") {
    DaemonOptions o;
    o.plugins = {arith_plugin()};
    o.plugin_files = {{"z-arith-copy.so", read_file(arith_plugin())}};
    Daemon d(o);
    std::string copy = (d.plugin_dir() / "z-arith-copy.so").string();
    // Files load side by side: the copy may load (and serve) first, and is
    // skipped when arith.so, first by file name, has loaded.
    std::string line = line_naming(d.log(), copy + " skipped");
    INFO("log:\n" << d.log());
    REQUIRE(!line.empty());
    CHECK(line.find((d.plugin_dir() / "arith.so").string()) != std::string::npos);
    Connection c = Connection::tcp(d.port());
    CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})") ==
          R"({"jsonrpc":"2.0","result":56,"id":1})");
}

TEST_CASE("a plugin registering rpc.discover is refused naming its file, and rpc.discover lists every method once") {
    DaemonOptions o;
    o.plugins = {arith_plugin(), PLUGRPC_TEST_RESERVED_PLUGIN};
    Daemon d(o);
    std::string file = (d.plugin_dir() / std::filesystem::path(PLUGRPC_TEST_RESERVED_PLUGIN).filename()).string();
    INFO("log:\n" << d.log());
    std::string line = line_naming(d.log(), file);
    REQUIRE(!line.empty());
    CHECK(line.find("service rpc of plugin reserved is reserved") != std::string::npos);

    Connection c = Connection::tcp(d.port());
    json::value reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"rpc.discover","id":1})"));
    std::map<std::string, int> names;
    for (const auto& m : member(member(reply, "result"), "methods").as_array())
        ++names[std::string(member(m, "name").as_string())];
    CHECK(names == std::map<std::string, int>{{"Arith.Divide", 1}, {"Arith.Multiply", 1}, {"rpc.discover", 1}});
    // Refused whole: its other service is not served.
    CHECK(call_line(c, R"({"method":"Reserved.Ping","params":[{}],"id":2})") ==
          R"({"id":2,"result":null,"error":"rpc: can't find service Reserved.Ping"})");
}
