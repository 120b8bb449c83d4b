// /metrics after traffic made with the client library: promtool accepts
// it, the call counters equal the calls made, and the process_* metrics
// describe the daemon's process.
#include "arith_types.hpp"
#include "cli_call_run.hpp"
#include "daemon.hpp"

#include <plugrpc/client.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <sstream>

using namespace plugrpc::test;
namespace client = plugrpc::client;

namespace {

// The value of the sample whose name and labels are exactly `series`, or -1.
double sample(const std::string& metrics, std::string_view series) {
    std::istringstream in(metrics);
    for (std::string line; std::getline(in, line);)
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
            return std::stod(line.substr(series.size() + 1));
    return -1;
}

std::string promtool() {
    for (const char* p : {"/usr/bin/promtool", "/usr/local/bin/promtool"})
        if (std::filesystem::exists(p)) return p;
    return {};
}

} // namespace

TEST_CASE("promtool check metrics passes on /metrics, whose call counters equal the calls made, with process_* metrics") {
    std::string tool = promtool();
    if (tool.empty()) FAIL("promtool is missing: scripts/setup installs it (Debian package prometheus)");
    Daemon d;
    std::string address = "127.0.0.1:" + std::to_string(d.port());
    constexpr int kMultiply = 37, kDivideErrors = 5;
    for (client::Protocol p : {client::Protocol::Json, client::Protocol::Gob}) {
        client::Options o;
        o.protocol = p;
        auto c = client::Client::connect(address, o);
        REQUIRE(c.has_value());
        int calls = p == client::Protocol::Json ? 20 : kMultiply - 20;
        for (int i = 0; i < calls; ++i) REQUIRE(c->call<std::int64_t>("Arith.Multiply", Args{i, 2}).value() == 2 * i);
        if (p == client::Protocol::Gob)
            for (int i = 0; i < kDivideErrors; ++i)
                REQUIRE(c->call<std::int64_t>("Arith.Divide", Args{i, 0}).error().message == "divide by zero");
    }

    HttpClient http(d.port());
    HttpResponse r = http.get("/metrics");
    REQUIRE(r.status == 200);
    RunResult check = run_program(tool, {"check", "metrics"}, r.body);
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);

    CHECK(sample(r.body, R"(plugrpc_calls_total{service="Arith",method="Multiply",outcome="ok"})") == kMultiply);
    CHECK(sample(r.body, R"(plugrpc_calls_total{service="Arith",method="Multiply",outcome="error"})") == 0);
    CHECK(sample(r.body, R"(plugrpc_calls_total{service="Arith",method="Divide",outcome="error"})") == kDivideErrors);
    CHECK(sample(r.body, R"(plugrpc_calls_total{service="Arith",method="Divide",outcome="ok"})") == 0);
    CHECK(sample(r.body, R"(plugrpc_call_duration_seconds_count{service="Arith",method="Multiply"})") == kMultiply);

    // The standard process_* metrics, of the daemon's process.
    CHECK(sample(r.body, "process_cpu_seconds_total") > 0);
    CHECK(sample(r.body, "process_resident_memory_bytes") > 1e6);
    CHECK(sample(r.body, "process_virtual_memory_bytes") >= sample(r.body, "process_resident_memory_bytes"));
    CHECK(sample(r.body, "process_open_fds") >= 4); // stdio, the listener, this connection
    CHECK(sample(r.body, "process_max_fds") >= sample(r.body, "process_open_fds"));
    double started = sample(r.body, "process_start_time_seconds");
    CHECK(std::abs(started - double(std::time(nullptr))) < 120);
}
