// The debug page against the real daemon: the facts only plugrpcd knows
// (its PID, config file, reloads, plugins that failed to load) are on it,
// the text fits 80 columns, the dashboard's live snapshot has rates and
// charts, and an embedded server shows a sensible page of its own.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

using namespace plugrpc::test;
namespace json = boost::json;

// Named: unity builds compile this file with others.
namespace debug_page_test {

constexpr std::string_view kMultiply = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})";

// The value of the header line "key:   value" of the text page, or "".
std::string fact(const std::string& page, std::string_view key) {
    std::istringstream in(page);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(std::string(key) + ":", 0) == 0) {
            auto v = line.find_first_not_of(' ', key.size() + 1);
            return v == std::string::npos ? "" : line.substr(v);
        }
    return {};
}

std::string text_page(std::uint16_t port) {
    HttpClient http(port);
    HttpResponse r = http.get("/debug/rpc", "*/*");
    REQUIRE(r.status == 200);
    return r.body;
}

// Columns on a terminal: UTF-8 continuation bytes take none.
std::size_t columns(const std::string& line) {
    std::size_t n = 0;
    for (unsigned char c : line) n += (c & 0xC0) != 0x80;
    return n;
}



TEST_CASE("debug page: the text header names the daemon's pid, config file, listener and log level") {
    DaemonOptions o;
    o.log_level = "debug";
    Daemon d(o);
    std::string page = text_page(d.port());
    INFO("page:\n" << page);
    CHECK(fact(page, "pid") == std::to_string(d.pid()));
    CHECK(fact(page, "config file") == d.config_file().string());
    CHECK(fact(page, "listeners") == "tcp://127.0.0.1:" + std::to_string(d.port()));
    CHECK(fact(page, "log level") == "debug");
    CHECK(fact(page, "reloads") == "0");
    CHECK(contains(fact(page, "started"), ", up "));
    CHECK(fact(page, "plugin dirs") == d.plugin_dir().string());
}

TEST_CASE("debug page: every line of the text page fits 80 columns, file paths only in the plugin list") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    for (int i = 0; i < 3; ++i) call_line(c, kMultiply);
    std::string page = text_page(d.port());
    INFO("page:\n" << page);
    std::istringstream in(page);
    for (std::string line; std::getline(in, line);) {
        INFO("line: " << line);
        CHECK(columns(line) <= 80);
        if (contains(line, "Multiply")) CHECK_FALSE(contains(line, "arith.so"));
    }
    CHECK(contains(page, "\nPLUGINS\narith 1.0.0, 2 methods, loaded "));
    CHECK(contains(page, "\n  " + (d.plugin_dir() / "arith.so").string() + "\n"));
}

TEST_CASE("debug page: the reload count and its outcome after a SIGHUP") {
    Daemon d;
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    REQUIRE(d.wait_for_log("SIGHUP: reloading"));
    std::string reloads;
    for (int i = 0; i < 50 && !contains(reloads, "last"); ++i) {
        reloads = fact(text_page(d.port()), "reloads");
        if (!contains(reloads, "last")) std::this_thread::sleep_for(100ms);
    }
    CHECK_THAT(reloads, Catch::StartsWith("1, last ok at 20"));

    // A config that does not parse: rejected, and the page says why.
    std::string config = read_file(d.config_file());
    std::ofstream(d.config_file()) << config << "\n[server\n";
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    for (int i = 0; i < 50 && !contains(reloads, "rejected"); ++i) {
        reloads = fact(text_page(d.port()), "reloads");
        if (!contains(reloads, "rejected")) std::this_thread::sleep_for(100ms);
    }
    CHECK_THAT(reloads, Catch::StartsWith("2, last rejected at 20"));
}

TEST_CASE("debug page: a plugin file that failed to load is listed with its reason, in text and JSON") {
    DaemonOptions o;
    o.plugin_files = {{"broken.so", "this is not a shared object"}};
    Daemon d(o);
    std::string broken = (d.plugin_dir() / "broken.so").string();
    std::string page = text_page(d.port());
    INFO("page:\n" << page);
    auto at = page.find("\nFAILED TO LOAD\n" + broken + "\n  ");
    REQUIRE(at != std::string::npos);
    CHECK(contains(page.substr(at), "not a loadable shared object"));

    HttpClient http(d.port());
    json::value status = member(parse_json(http.get("/debug/rpc?format=json").body), "status");
    const auto& failed = member(status, "failed_plugins").as_array();
    REQUIRE(failed.size() == 1);
    CHECK(member(failed[0], "file") == broken.c_str());
    CHECK(contains(json::serialize(member(failed[0], "reason")), "not a loadable shared object"));
    CHECK(member(status, "pid").to_number<long>() == d.pid());
}

TEST_CASE("debug page: the live snapshot has each called method's rate and its calls per second over time") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    HttpClient http(d.port());
    // Calls over 3 seconds: the history takes a step a second.
    for (int i = 0; i < 30; ++i) {
        call_line(c, kMultiply);
        std::this_thread::sleep_for(100ms);
    }
    json::value live = parse_json(http.get("/debug/rpc?format=live").body);
    INFO(json::serialize(live));
    const auto& methods = member(live, "methods").as_array();
    REQUIRE(methods.size() == 2);
    CHECK(member(methods[0], "name") == "Arith.Multiply"); // the busiest first
    CHECK(member(methods[0], "calls").to_number<int>() == 30);
    CHECK(member(methods[0], "rate_per_second").to_number<double>() > 0);
    CHECK(member(methods[0], "p50_seconds").to_number<double>() > 0);
    const auto& series = member(member(live, "series"), "methods").as_array();
    REQUIRE(series.size() == 1); // Divide: no calls, no chart
    CHECK(member(series[0], "name") == "Arith.Multiply");
    double charted = 0;
    for (const auto& v : member(series[0], "calls_per_second").as_array()) charted += v.to_number<double>();
    CHECK(charted >= 10);
    CHECK(charted <= 30);
    CHECK(member(member(live, "series"), "step_seconds") == 1);
    CHECK(member(member(parse_json(http.get("/debug/rpc?format=live&range=10m").body), "series"), "step_seconds") ==
          10);
}

TEST_CASE("debug page: the browser's dashboard is one page with nothing from elsewhere, linking /metrics and "
          "/openrpc.json") {
    DaemonOptions o;
    o.server_config = "debug_path = \"/ops/rpc\"\n";
    Daemon d(o);
    HttpClient http(d.port());
    HttpResponse r = http.get("/ops/rpc", "text/html,application/xhtml+xml");
    REQUIRE(r.status == 200);
    CHECK(contains(r.header("Content-Type"), "text/html"));
    const std::string& page = r.body;
    CHECK(contains(page, "<meta name=\"viewport\""));
    CHECK(contains(page, "href=\"/metrics\""));
    CHECK(contains(page, "href=\"/openrpc.json\""));
    CHECK(contains(page, "const PATH = \"/ops/rpc\";"));
    CHECK(contains(page, "?format=live"));
    CHECK_FALSE(contains(page, "<link"));
    CHECK_FALSE(contains(page, " src="));
    CHECK_FALSE(contains(page, "https://"));
    CHECK(contains(page, "Arith.Multiply(Args) int64"));
    CHECK(http.get("/ops/rpc?format=live").status == 200);
}

} // namespace debug_page_test
