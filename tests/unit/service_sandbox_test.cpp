// What plugrpcd.service's sandbox hides from the daemon (plugrpcd -t): the
// rules, and that they are the unit's own.
#include "daemon/service/service_sandbox.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

// Each file in its own namespace: unity builds compile several together.
namespace unit_service_sandbox {

using namespace plugrpc;

TEST_CASE("paths under /home, /root and /run/user are hidden by ProtectHome=yes") {
    for (const char* p : {"/root/plugrpcd.toml", "/home/ann/tls/key.pem", "/run/user/0/x.so", "/root"}) {
        INFO(p);
        auto why = hidden_from_service(p);
        REQUIRE(why);
        CHECK_THAT(*why, Catch::Contains("(ProtectHome=yes)"));
    }
}

TEST_CASE("paths under /tmp and /var/tmp are hidden by PrivateTmp=yes") {
    CHECK(hidden_from_service("/tmp/plugins/arith.so") ==
          "under /tmp, which plugrpcd.service hides from the service (PrivateTmp=yes)");
    CHECK(hidden_from_service("/var/tmp/k.pem").value_or("") ==
          "under /var/tmp, which plugrpcd.service hides from the service (PrivateTmp=yes)");
}

TEST_CASE("paths the service sees are not hidden, even when a hidden folder's name is their prefix") {
    for (const char* p : {"/etc/plugrpcd/plugrpcd.toml", "/usr/lib/plugrpcd/plugins/arith.so", "/homework/a.so",
                          "/rooted/x", "/run/plugrpcd/x", "/var/lib/tmp/x", "/tmpfiles/x"}) {
        INFO(p);
        CHECK_FALSE(hidden_from_service(p));
    }
    CHECK(hidden_from_service("/etc/../root/x"));
}

TEST_CASE("unix sockets can be created under /run/plugrpcd only") {
    CHECK_FALSE(socket_blocked_for_service("/run/plugrpcd/plugrpcd.sock"));
    CHECK_FALSE(socket_blocked_for_service("/run/plugrpcd/sub/a.sock"));
    CHECK(socket_blocked_for_service("/run/plugrpcd.sock"));
    CHECK(socket_blocked_for_service("/var/lib/plugrpcd/a.sock").value_or("") ==
          "the service can create sockets only under /run/plugrpcd (ProtectSystem=strict, RuntimeDirectory=plugrpcd)");
}

TEST_CASE("the sandbox rules are the directives of packaging/systemd/plugrpcd.service") {
    std::ifstream in(PLUGRPC_SERVICE_UNIT);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    std::string unit = "\n" + text.str();
    for (const auto& t : kHiddenTrees) {
        INFO(t.path);
        CHECK_THAT(unit, Catch::Contains("\n" + std::string(t.directive) + "\n"));
    }
    CHECK_THAT(unit, Catch::Contains("\nProtectSystem=strict\n"));
    CHECK_THAT(unit, Catch::Contains("\nRuntimeDirectory=plugrpcd\n"));
    CHECK_THAT(unit, Catch::Contains("\nUser=plugrpcd\n"));
    CHECK_THAT(unit, !Catch::Contains("\nReadWritePaths="));
}

} // namespace unit_service_sandbox
