// [registry] of plugrpcd.toml: where the daemon registers in etcd, and
// errors that name the key.
#include "daemon/config/config.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_config_registry {

using namespace plugrpc;
using namespace std::chrono_literals;

namespace {

std::string error_of(std::string_view text) {
    ConfigResult r = parse_config(text, "test.toml");
    INFO(text);
    CHECK_FALSE(r.config);
    return r.error;
}

} // namespace

TEST_CASE("config: no [registry] registers nowhere", "[config]") {
    ConfigResult r = parse_config("", "test.toml");
    REQUIRE(r.config);
    CHECK_FALSE(r.config->registry.enabled());
    CHECK(r.config->registry.prefix == "/plugrpc/services");
    CHECK(r.config->registry.ttl == 10s);
}

TEST_CASE("config: every [registry] key is read", "[config]") {
    ConfigResult r = parse_config("[registry]\netcd = [\"http://10.0.0.1:2379\", \"10.0.0.2:2379\"]\n"
                                  "prefix = \"/svc\"\nttl = \"30s\"\nadvertise = \"tcp://10.0.0.5:1234\"\n",
                                  "test.toml");
    INFO(r.error);
    REQUIRE(r.config);
    const RegistrySettings& s = r.config->registry;
    CHECK(s.etcd == std::vector<std::string>{"http://10.0.0.1:2379", "10.0.0.2:2379"});
    CHECK(s.prefix == "/svc");
    CHECK(s.ttl == 30s);
    CHECK(s.advertise == "tcp://10.0.0.5:1234");
}

TEST_CASE("config: [registry] errors name the key", "[config]") {
    CHECK(error_of("[registry]\netcd = [\"https://e:2379\"]\n") ==
          "test.toml:2:8: registry.etcd: \"https://e:2379\": https is not supported (use http://HOST:PORT)");
    CHECK(error_of("[registry]\netcd = [\"e\"]\n") == "test.toml:2:8: registry.etcd: \"e\": expected http://HOST:PORT");
    CHECK(error_of("[registry]\nprefix = \"svc\"\n") ==
          "test.toml:2:10: registry.prefix: must be a key prefix starting with '/' (\"/plugrpc/services\")");
    CHECK(error_of("[registry]\nttl = \"1s\"\n") ==
          "test.toml:2:7: registry.ttl: must be whole seconds from \"2s\" to \"1h\" (etcd's leases count seconds)");
    CHECK(error_of("[registry]\nttl = \"2500ms\"\n").find("registry.ttl: must be whole seconds") != std::string::npos);
    CHECK(error_of("[registry]\nadvertise = \"0.0.0.0:1234\"\n") ==
          "test.toml:2:13: registry.advertise: \"0.0.0.0:1234\": a wildcard address clients cannot dial; name this "
          "host's address");
    CHECK(error_of("[registry]\nadvertise = \"unix:///run/p.sock\"\n").find("registry.advertise: ") != std::string::npos);
    CHECK(error_of("[registry]\nfoo = 1\n") == "test.toml:2:7: registry.foo: unknown key");
}

TEST_CASE("config: registering behind a wildcard listener needs advertise", "[config]") {
    std::string e = error_of("[server]\nlisten = [\"tcp://0.0.0.0:1234\"]\n[registry]\netcd = [\"http://127.0.0.1:2379\"]\n");
    CHECK(e.find("registry.advertise: needed: the first tcp listener (tcp://0.0.0.0:1234) is a wildcard address") !=
          std::string::npos);
    e = error_of("[server]\nlisten = [\"unix:///run/p.sock\"]\n[registry]\netcd = [\"http://127.0.0.1:2379\"]\n");
    CHECK(e.find("registry.advertise: needed: no tcp:// listener to advertise") != std::string::npos);
    ConfigResult r = parse_config("[server]\nlisten = [\"tcp://0.0.0.0:1234\"]\n[registry]\n"
                                  "etcd = [\"http://127.0.0.1:2379\"]\nadvertise = \"10.0.0.5:1234\"\n",
                                  "test.toml");
    INFO(r.error);
    CHECK(r.config);
    CHECK(default_advertise({*parse_listen_address("tcp://[::1]:99", e)}, e) == "[::1]:99");
}

} // namespace unit_config_registry
