// plugrpcd's command line: --check-config, --help, --version, and the
// errors an operator sees for a bad configuration.
#include "daemon.hpp"

#include <catch2/catch.hpp>

using namespace plugrpc::test;

namespace {


// A config in `dir` that serves arith from its own plugin folder.
std::filesystem::path good_config(const TempDir& dir) {
    std::filesystem::create_directory(dir.path() / "plugins");
    std::filesystem::copy_file(arith_plugin(), dir.path() / "plugins" / "arith.so");
    return dir.write("good.toml", "[server]\nlisten = [\"tcp://127.0.0.1:0\"]\n\n[plugins]\ndirs = [\"" +
                                      (dir.path() / "plugins").string() + "\"]\n");
}

} // namespace

TEST_CASE("plugrpcd --check-config with listen = 1234 exits non-zero naming listen, the file and the line") {
    TempDir dir;
    auto bad = dir.write("bad.toml", "# a comment\n[server]\nlisten = 1234\n");
    RunResult r = run_plugrpcd({"--config", bad.string(), "--check-config"});
    INFO("stderr: " << r.err << "\nstdout: " << r.out);
    CHECK(r.exit_code != 0);
    CHECK(contains(r.err, "listen"));
    CHECK(contains(r.err, bad.string() + ":3"));
}

TEST_CASE("plugrpcd --check-config of a good config exits 0 and prints the methods it would serve") {
    TempDir dir;
    auto good = good_config(dir);
    RunResult r = run_plugrpcd({"--config", good.string(), "--check-config"});
    INFO("stderr: " << r.err << "\nstdout: " << r.out);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "Arith.Multiply"));
    CHECK(contains(r.out, "Arith.Divide"));
}

TEST_CASE("plugrpcd --check-config with a broken plugin in the folder exits 1 naming it") {
    TempDir dir;
    auto good = good_config(dir);
    dir.write("plugins/broken.so", "not a shared object at all, only some text to fill a header....\n");
    RunResult r = run_plugrpcd({"--config", good.string(), "--check-config"});
    INFO("stderr: " << r.err << "\nstdout: " << r.out);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out + r.err, "broken.so"));
}

TEST_CASE("an unknown config key is rejected naming the key and its line") {
    TempDir dir;
    auto bad = dir.write("unknown.toml", "[server]\nlisten = [\"tcp://127.0.0.1:0\"]\nlisten_backlog = 5\n");
    RunResult r = run_plugrpcd({"--config", bad.string(), "--check-config"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code != 0);
    CHECK(contains(r.err, "listen_backlog"));
    CHECK(contains(r.err, bad.string() + ":3"));
}

TEST_CASE("an unknown config table is rejected naming it") {
    TempDir dir;
    auto bad = dir.write("table.toml", "[sever]\nlisten = [\"tcp://127.0.0.1:0\"]\n");
    RunResult r = run_plugrpcd({"--config", bad.string(), "--check-config"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code != 0);
    CHECK(contains(r.err, "sever"));
}

TEST_CASE("a config that is not TOML is rejected naming the file and line") {
    TempDir dir;
    auto bad = dir.write("syntax.toml", "[server]\nlisten = [\"tcp://127.0.0.1:0\"\n");
    RunResult r = run_plugrpcd({"--config", bad.string(), "--check-config"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code != 0);
    CHECK(contains(r.err, bad.string() + ":"));
}

TEST_CASE("a missing config file is an error naming the file") {
    TempDir dir;
    auto missing = dir.path() / "nope.toml";
    RunResult r = run_plugrpcd({"--config", missing.string(), "--check-config"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code != 0);
    CHECK(contains(r.err, missing.string()));
}

TEST_CASE("plugrpcd --help exits 0 and documents --config") {
    RunResult r = run_plugrpcd({"--help"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "--config"));
    CHECK(contains(r.out, "--check-config"));
    CHECK(contains(r.out, "--listen"));
}

TEST_CASE("plugrpcd --version exits 0 and prints the version") {
    RunResult r = run_plugrpcd({"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("plugrpcd ", 0) == 0);
}

TEST_CASE("an unknown option exits non-zero and names it") {
    RunResult r = run_plugrpcd({"--frobnicate"});
    CHECK(r.exit_code != 0);
    CHECK(contains(r.err, "--frobnicate"));
}

TEST_CASE("plugrpcd --listen replaces the config's listeners") {
    DaemonOptions o;
    o.listen = {"tcp://127.0.0.1:0"};
    o.extra_args = {"--listen", "unix://{dir}/flag.sock"};
    Daemon d(o);
    std::string sock = (d.dir() / "flag.sock").string();
    CHECK(d.listening() == std::vector<std::string>{"unix://" + sock});
    Connection c = Connection::unix_socket(sock);
    c.send_line(R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1})");
    CHECK(c.recv_line() == R"({"id":1,"result":56,"error":null})");
}
