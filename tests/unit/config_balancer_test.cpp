// The keys for running behind a load balancer: [server] drain_delay and
// agent_check, [plugins] required, [limits.max_concurrency].
#include "config_test_support.hpp"
#include "daemon/config/config.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_config_balancer {

using namespace plugrpc;
using namespace std::chrono_literals;

using configtest::parse_error;
using configtest::parse_ok;

TEST_CASE("config: balancer keys default to off: no drain_delay, no agent check, nothing required, no limit",
          "[config]") {
    Config c = parse_ok("");
    CHECK(c.drain_delay == 0ms);
    CHECK(c.agent_check.empty());
    CHECK(c.required_services.empty());
    CHECK(c.limits.max_concurrency.empty());
}

TEST_CASE("config: drain_delay, agent_check, required and max_concurrency are read", "[config]") {
    Config c = parse_ok(R"([server]
drain_delay = "2s"
agent_check = "tcp://127.0.0.1:1235"
[plugins]
required = ["Arith", "Slow"]
[limits.max_concurrency]
"Arith.Multiply" = 100
"Slow" = 4
)");
    CHECK(c.drain_delay == 2s);
    CHECK(c.agent_check == "tcp://127.0.0.1:1235");
    CHECK(c.required_services == std::vector<std::string>{"Arith", "Slow"});
    CHECK(c.limits.max_concurrency.at("Arith.Multiply") == 100);
    CHECK(c.limits.max_concurrency.at("Slow") == 4);
}

TEST_CASE("config: bad balancer keys are errors naming file, line and key", "[config]") {
    CHECK(parse_error("[server]\ndrain_delay = \"soon\"\n") ==
          "test.toml:2:15: server.drain_delay: expected a duration like 10, \"10s\", \"500ms\" or \"2m\"");
    CHECK(parse_error("[server]\nagent_check = \"unix:///run/a.sock\"\n") ==
          "test.toml:2:15: server.agent_check: \"unix:///run/a.sock\": must be a tcp:// address");
    CHECK_THAT(parse_error("[server]\nagent_check = \"tcp://127.0.0.1\"\n"),
               Catch::StartsWith("test.toml:2:15: server.agent_check: \"tcp://127.0.0.1\": "));
    CHECK(parse_error("[plugins]\nrequired = \"Arith\"\n") ==
          "test.toml:2:12: plugins.required: expected an array of strings, got a string");
    CHECK(parse_error("[plugins]\nrequired = [\"Arith Slow\"]\n") ==
          "test.toml:2:12: plugins.required: \"Arith Slow\" is not a service name (\"Arith\")");
    CHECK(parse_error("[limits.max_concurrency]\n\"Arith.Multiply\" = -1\n") ==
          "test.toml:2:20: limits.max_concurrency.Arith.Multiply: must be between 0 and 100000000");
    CHECK(parse_error("[limits.max_concurrency]\n\"Arith.Multiply\" = \"many\"\n") ==
          "test.toml:2:20: limits.max_concurrency.Arith.Multiply: expected an integer, got a string");
    CHECK_THAT(parse_error("[limits.max_concurrency]\n\"a b\" = 1\n"), Catch::Contains("Service.Method"));
    CHECK_THAT(parse_error("[limits]\nmax_concurrency = 5\n"),
               Catch::Contains("limits.max_concurrency: expected a table"));
}

} // namespace unit_config_balancer
