// plugrpcd -t checks what the service would meet: files its user cannot
// read, and paths its sandbox (plugrpcd.service) hides. Run as root, it
// opens every file as the service user (--as-user; `nobody` here, which
// every Debian system has); run as anyone else it says it could not.
#include "daemon.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

using namespace plugrpc::test;

namespace {

bool root() { return ::geteuid() == 0; }

// A folder others may enter, with a config and a plugin folder in it.
struct Setup {
    TempDir dir;
    std::filesystem::path plugins = dir.path() / "plugins";
    Setup() {
        ::chmod(dir.path().c_str(), 0755);
        std::filesystem::create_directory(plugins);
        ::chmod(plugins.c_str(), 0755);
        std::filesystem::copy_file(arith_plugin(), plugins / "arith.so");
        ::chmod((plugins / "arith.so").c_str(), 0644);
    }
    std::filesystem::path config(const std::string& extra = "") const {
        auto file = dir.write("plugrpcd.toml", "[server]\nlisten = [\"tcp://127.0.0.1:0\"]\n[plugins]\ndirs = [\"" +
                                                   plugins.string() + "\"]\n" + extra);
        ::chmod(file.c_str(), 0644);
        return file;
    }
};

} // namespace

TEST_CASE("plugrpcd -t refuses a TLS key the service user cannot read, naming the key, the user and why") {
    Setup s;
    auto [rc, out] = shell("cd " + s.dir.path().string() +
                           " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
                           " -subj /CN=plugrpcd-test -keyout key.pem -out cert.pem 2>&1 && chmod 0644 cert.pem"
                           " && chmod 0600 key.pem");
    REQUIRE(rc == 0);
    auto config = s.config("[tls]\ncert_file = \"cert.pem\"\nkey_file = \"key.pem\"\n");
    RunResult r = run_plugrpcd({"-t", "--as-user", "nobody", "-c", config.string()});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 1);
    if (root()) {
        CHECK_THAT(r.err, Catch::Contains((s.dir.path() / "key.pem").string() + " ([tls] key_file): user nobody "
                                          "cannot read it: Permission denied"));
        CHECK_THAT(r.err, !Catch::Contains("cert.pem ([tls] cert_file): user nobody"));
        CHECK_THAT(r.err, !Catch::Contains("plugrpcd.toml (the configuration): user nobody"));
    } else {
        CHECK_THAT(r.err, Catch::Contains("not checked: whether user nobody can read"));
    }
}

TEST_CASE("plugrpcd -t refuses a plugin folder the service user cannot enter, naming it") {
    Setup s;
    ::chmod(s.plugins.c_str(), 0700);
    RunResult r = run_plugrpcd({"-t", "--as-user", "nobody", "-c", s.config().string()});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 1);
    if (root())
        CHECK_THAT(r.err, Catch::Contains(s.plugins.string() + " (a plugin folder): user nobody cannot read it: "
                                          "Permission denied"));
}

TEST_CASE("plugrpcd -t refuses files under /tmp, which the unit's PrivateTmp=yes hides from the service") {
    Setup s;
    RunResult r = run_plugrpcd({"-t", "--as-user", "nobody", "-c", s.config().string()});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(s.dir.path().string().rfind("/tmp/", 0) == 0);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(s.config().string() + " (the configuration): under /tmp, which "
                                                             "plugrpcd.service hides from the service (PrivateTmp=yes)"));
    CHECK_THAT(r.err, Catch::Contains((s.plugins / "arith.so").string() + " (a plugin):"));
}

TEST_CASE("plugrpcd -t refuses a unix listener outside /run/plugrpcd, where the service cannot create a socket") {
    Setup s;
    RunResult r = run_plugrpcd({"-t", "--as-user", "nobody", "-c", s.config().string(), "--listen",
                                "unix:///var/lib/plugrpcd.sock"});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("unix:///var/lib/plugrpcd.sock: the service can create sockets only under "
                                      "/run/plugrpcd (ProtectSystem=strict, RuntimeDirectory=plugrpcd)"));
}

TEST_CASE("plugrpcd -t --as-user with a user that does not exist is an error naming it") {
    Setup s;
    RunResult r = run_plugrpcd({"-t", "--as-user", "no-such-user-plugrpc", "-c", s.config().string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("--as-user no-such-user-plugrpc: no such user"));
}

TEST_CASE("plugrpcd --help documents --as-user") {
    RunResult r = run_plugrpcd({"--help"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("--as-user USER"));
}

TEST_CASE("plugrpcd -t as root trusts plugins owned by the service user, as the service does") {
    if (!root()) return; // only root can give a file to another user
    Setup s;
    REQUIRE(::chown((s.plugins / "arith.so").c_str(), 65534, 65534) == 0); // nobody
    RunResult r = run_plugrpcd({"-t", "--as-user", "nobody", "-c", s.config().string()});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK_THAT(r.out, Catch::Contains("serve: Arith.Multiply"));
    CHECK_THAT(r.out + r.err, !Catch::Contains("owned by uid"));
}
