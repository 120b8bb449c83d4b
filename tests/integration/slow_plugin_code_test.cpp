// Plugin code that takes its time — an init that sleeps, a shutdown that
// sleeps — delays only that plugin: the daemon listens, answers /healthz and
// serves the other plugins meanwhile, reloads report what the loads came to,
// and SIGTERM still exits within drain_delay + drain_timeout + grace.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <iostream>
#include <sstream>
#include <thread>

using namespace plugrpc::test;

// Named, not anonymous: unity builds compile this file with others.
namespace slow_plugin_code {

using Clock = std::chrono::steady_clock;

long ms_since(Clock::time_point t) {
    return static_cast<long>(std::chrono::duration_cast<Millis>(Clock::now() - t).count());
}

std::string multiply(std::uint16_t port) {
    Connection c = Connection::tcp(port);
    return call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})");
}
const std::string kFiftySix = R"({"jsonrpc":"2.0","result":56,"id":1})";

std::string sleep_call(std::uint16_t port) {
    Connection c = Connection::tcp(port);
    return call_line(c, R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":1},"id":2})");
}
const std::string kSlept = R"({"jsonrpc":"2.0","result":1,"id":2})";

int healthz(std::uint16_t port) {
    HttpClient http(port);
    return http.get("/healthz").status;
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
    return n;
}

// [server] drain_timeout of these tests, and what SIGTERM may take with it:
// drain_delay (0) + drain_timeout + the daemon's 2 s of grace.
constexpr auto kDrainTimeout = 2s;
constexpr auto kStopBound = kDrainTimeout + 2s;

DaemonOptions with_slow_plugin(const std::string& slow_table) {
    DaemonOptions o;
    o.plugins = {arith_plugin(), slow_plugin()};
    o.server_config = "drain_timeout = \"2s\"\n";
    o.extra_config = "[plugin.slow]\n" + slow_table + "\n";
    return o;
}

TEST_CASE("a call that arrives as the daemon starts finds plugins that load quickly already served") {
    // A connection queued before the daemon accepts (socket activation, a
    // restart under load) is read at once: the listeners open only once the
    // start-up loads are done, or after a short wait for a slow init.
    for (int round = 0; round < 5; ++round) {
        DaemonOptions o = with_slow_plugin("");
        o.wait_for_plugins = false; // call as soon as it listens
        Daemon d(o);
        CHECK(multiply(d.port()) == kFiftySix);
        CHECK(sleep_call(d.port()) == kSlept);
        std::string log = d.log();
        CHECK(log.find("start-up plugin loads done") < log.find("listening on "));
    }
}

TEST_CASE("a plugin whose init sleeps 30 s beside arith.so delays only itself, and SIGTERM still exits in time") {
    DaemonOptions o = with_slow_plugin("init_sleep_ms = 30000");
    o.wait_for_plugins = false;
    auto start = Clock::now();
    Daemon d(o);
    long listening_ms = ms_since(start);
    int health = healthz(d.port());
    long healthz_ms = ms_since(start);
    std::string product = multiply(d.port());
    long arith_ms = ms_since(start);
    std::cout << "init 30 s: listening after " << listening_ms << " ms, /healthz answered after " << healthz_ms
              << " ms, Arith.Multiply after " << arith_ms << " ms\n";
    INFO(d.log());
    CHECK(health == 200);
    // Arith may still be loading in the first milliseconds: ask until it answers.
    for (int i = 0; i < 100 && product != kFiftySix; ++i) {
        std::this_thread::sleep_for(20ms);
        product = multiply(d.port());
    }
    CHECK(product == kFiftySix);
    CHECK(healthz_ms < 10000); // the init takes 30 s
    CHECK(d.wait_for_log("init sleeps 30000 ms"));
    CHECK_THAT(sleep_call(d.port()), Catch::Contains("can't find service Slow.Sleep"));
    // Live, not ready: a load balancer waits for the start-up loads.
    HttpResponse ready = HttpClient(d.port()).get("/readyz");
    CHECK(ready.status == 503);
    CHECK_THAT(ready.body, Catch::Contains("starting: plugins are loading"));

    auto sigterm = Clock::now();
    REQUIRE(::kill(d.pid(), SIGTERM) == 0);
    auto status = d.wait_exit(kStopBound + 5s);
    std::cout << "init 30 s: SIGTERM exited after " << ms_since(sigterm) << " ms (bound "
              << Millis(kStopBound).count() << " ms)\n";
    REQUIRE(status);
    CHECK(*status == 0);
}

TEST_CASE("a plugin whose init sleeps 2 s is served once it has loaded, and the others before") {
    DaemonOptions o = with_slow_plugin("init_sleep_ms = 2000");
    o.wait_for_plugins = false;
    auto start = Clock::now();
    Daemon d(o);
    std::string product = multiply(d.port());
    for (int i = 0; i < 100 && product != kFiftySix; ++i) {
        std::this_thread::sleep_for(20ms);
        product = multiply(d.port());
    }
    long arith_ms = ms_since(start);
    INFO(d.log());
    CHECK(product == kFiftySix);
    std::string slept = sleep_call(d.port());
    CHECK_THAT(slept, Catch::Contains("can't find service Slow.Sleep")); // its init still sleeps
    while (slept != kSlept && ms_since(start) < 30000) {
        std::this_thread::sleep_for(50ms);
        slept = sleep_call(d.port());
    }
    long slow_ms = ms_since(start);
    std::cout << "init 2 s: Arith served after " << arith_ms << " ms, Slow after " << slow_ms << " ms\n";
    CHECK(slept == kSlept);
    CHECK(slow_ms >= 2000); // not before its init returned
    CHECK(d.wait_for_log("start-up plugin loads done"));
    CHECK(HttpClient(d.port()).get("/readyz").status == 200);
    CHECK(d.stop() == 0);
}

TEST_CASE("a reload that removes a plugin whose shutdown sleeps does not stall /healthz or Arith") {
    DaemonOptions o = with_slow_plugin("shutdown_sleep_ms = 20000");
    o.plugins_config = "watch = false\n";
    Daemon d(o);
    REQUIRE(sleep_call(d.port()) == kSlept);
    std::filesystem::remove(d.plugin_dir() / slow_plugin().filename());
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    REQUIRE(d.wait_for_log("unloading plugin slow"));
    std::this_thread::sleep_for(200ms); // the shutdown has begun
    auto start = Clock::now();
    int health = healthz(d.port());
    long healthz_ms = ms_since(start);
    std::string product = multiply(d.port());
    long arith_ms = ms_since(start);
    std::cout << "shutdown 20 s: /healthz answered in " << healthz_ms << " ms, Arith.Multiply after " << arith_ms
              << " ms\n";
    INFO(d.log());
    CHECK(health == 200);
    CHECK(product == kFiftySix);
    CHECK(arith_ms < 10000); // the shutdown takes 20 s
    // A second reload is not held up by it either.
    start = Clock::now();
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    CHECK(multiply(d.port()) == kFiftySix);
    std::cout << "shutdown 20 s: Arith.Multiply right after a second SIGHUP in " << ms_since(start) << " ms\n";

    auto sigterm = Clock::now();
    REQUIRE(::kill(d.pid(), SIGTERM) == 0);
    auto status = d.wait_exit(kStopBound + 5s);
    std::cout << "shutdown 20 s: SIGTERM exited after " << ms_since(sigterm) << " ms (bound "
              << Millis(kStopBound).count() << " ms)\n";
    REQUIRE(status);
    CHECK(*status == 0);
}

TEST_CASE("an init past init_timeout fails the plugin in the reload outcome, once, and is never served") {
    DaemonOptions o;
    o.plugins = {arith_plugin()};
    o.plugins_config = "watch = false\ninit_timeout = \"1s\"\n";
    o.extra_config = "[plugin.slow]\ninit_sleep_ms = 4000\n";
    o.extra_args = {"--runtime-dir", "{dir}"};
    Daemon d(o);
    std::filesystem::copy_file(slow_plugin(), d.plugin_dir() / slow_plugin().filename());
    std::string pid = std::to_string(d.pid()), dir = d.dir().string();

    auto start = Clock::now();
    RunResult r = run_plugrpcd({"reload", "--pid", pid, "--runtime-dir", dir});
    std::cout << "init_timeout 1 s: plugrpcd reload answered after " << ms_since(start) << " ms\n";
    INFO("stdout: " << r.out << "\nstderr: " << r.err << "\nlog:\n" << d.log());
    CHECK(r.exit_code == 0); // the configuration took effect; the plugin did not
    CHECK_THAT(r.out, Catch::StartsWith("plugrpcd reload: ok: ") &&
                          Catch::Contains("slow.so: init did not return within 1 s"));
    CHECK(d.wait_for_log("slow.so skipped: init did not return within 1 s"));

    // While that init still runs, a reload does not load the file again.
    r = run_plugrpcd({"reload", "--pid", pid, "--runtime-dir", dir});
    CHECK_THAT(r.out, Catch::Contains("slow.so: init did not return within 1 s"));
    CHECK(multiply(d.port()) == kFiftySix);
    CHECK_THAT(sleep_call(d.port()), Catch::Contains("can't find service Slow.Sleep"));

    // When it returns at last, what it registered is dropped, never served.
    REQUIRE(d.wait_for_log("init slept 4000 ms", 10s));
    CHECK(d.wait_for_log("dropped"));
    CHECK_THAT(sleep_call(d.port()), Catch::Contains("can't find service Slow.Sleep"));
    CHECK(count(d.log(), "init sleeps 4000 ms") == 1);
    HttpClient http(d.port());
    CHECK_THAT(http.get("/metrics").body, Catch::Contains("plugrpc_plugin_load_failures_total 2"));
    CHECK_THAT(http.get("/debug/rpc").body, Catch::Contains("init did not return within 1 s"));
    CHECK(d.stop() == 0);
}

// The daemon's child processes (isolated plugins), by pid.
std::vector<std::string> children(pid_t pid) {
    auto [rc, out] = shell("cat /proc/" + std::to_string(pid) + "/task/*/children");
    std::vector<std::string> pids;
    std::istringstream in(out);
    for (std::string p; in >> p;) pids.push_back(p);
    return pids;
}

// Arith's process must start and register within the bound: under a
// sanitizer, with the other suites running beside, that has taken over 1 s.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr const char* kIsolatedInitTimeout = "3s";
#else
constexpr const char* kIsolatedInitTimeout = "1s";
#endif

TEST_CASE("an isolated plugin whose init is past init_timeout fails to load and its process is killed") {
    DaemonOptions o = with_slow_plugin("init_sleep_ms = 30000");
    o.plugins_config = std::string("isolate = true\ninit_timeout = \"") + kIsolatedInitTimeout + "\"\n";
    auto start = Clock::now();
    Daemon d(o); // the start-up loads are done once slow's has timed out
    std::cout << "isolated, init_timeout " << kIsolatedInitTimeout << ": start-up loads done after "
              << ms_since(start) << " ms\n";
    INFO(d.log());
    CHECK(contains(d.log(), std::string("slow.so skipped: init did not return within ") +
                                std::string(kIsolatedInitTimeout).substr(0, 1) + " s"));
    CHECK(multiply(d.port()) == kFiftySix);
    CHECK_THAT(sleep_call(d.port()), Catch::Contains("can't find service Slow.Sleep"));
    // Its child is killed: only arith's is left.
    CHECK(d.wait_for_log("past init_timeout", 10s));
    CHECK(contains(d.log(), "did not register the plugin within"));
    std::vector<std::string> left = children(d.pid());
    for (int i = 0; i < 100 && left.size() > 1; ++i) {
        std::this_thread::sleep_for(50ms);
        left = children(d.pid());
    }
    CHECK(left.size() == 1);
    CHECK(d.stop() == 0);
}

} // namespace slow_plugin_code
