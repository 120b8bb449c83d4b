// The debug page for terminals: 80 columns whatever the names, facts in a
// "key: value" header, methods without file paths, plugins and failed
// plugins listed apart, latency as estimates.
#include "server/http/debug_text.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

namespace unit_debug_text {

using namespace plugrpc;

namespace {

DebugMethodRow row(std::string service, std::string method, std::uint64_t calls) {
    DebugMethodRow r;
    r.service = std::move(service);
    r.method = std::move(method);
    r.argument = "Args";
    r.reply = "int64";
    r.calls = calls;
    r.errors = calls / 10;
    r.mean = 2.1e-6;
    r.p50 = 1.8e-6;
    r.p99 = 37.25e-6;
    r.rate = 12.5;
    r.plugin = "arith 1.0.0";
    return r;
}

DebugSnapshot snapshot() {
    DebugSnapshot s;
    s.program = "plugrpcd";
    s.version = "0.1.0";
    s.pid = 4242;
    s.now = std::chrono::system_clock::now();
    s.started = s.now - std::chrono::seconds(3723);
    s.listeners = {"tcp://127.0.0.1:1234", "unix:///run/plugrpcd/plugrpcd.sock"};
    s.log_level = "info";
    s.connections = {{"json", 0}, {"http", 1}, {"gob", 2}, {"gob-http", 0}};
    s.inflight = 3;
    s.facts = {{"config file", "/etc/plugrpcd/plugrpcd.toml"}, {"reloads", "2, last ok at 2026-12-02T14:03:12Z"}};
    s.services = 1;
    s.methods = {row("Arith", "Divide", 1), row("Arith", "Multiply", 1234567)};
    s.method_count = 2;
    s.plugins = {{"arith", "1.0.0", "Go's Arith example", "/usr/lib/plugrpcd/plugins/arith.so", s.now, 2, {}}};
    return s;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

void check_fits(const std::string& page) {
    INFO("page:\n" << page);
    for (const auto& l : lines(page)) {
        INFO("line: " << l);
        CHECK(text_width(l) <= kTextColumns);
    }
}

bool has_line(const std::string& page, std::string_view start) {
    for (const auto& l : lines(page))
        if (l.rfind(start, 0) == 0) return true;
    return false;
}

} // namespace

TEST_CASE("debug text: a key: value header with pid, uptime, listeners, log level and the program's facts",
          "[debug-text]") {
    std::string page = render_debug_text(snapshot());
    INFO(page);
    CHECK(has_line(page, "pid:          4242"));
    CHECK(page.find("up 1h2m3s") != std::string::npos);
    CHECK(has_line(page, "listeners:    tcp://127.0.0.1:1234, unix:///run/plugrpcd/plugrpcd.sock"));
    CHECK(has_line(page, "log level:    info"));
    CHECK(has_line(page, "config file:  /etc/plugrpcd/plugrpcd.toml"));
    CHECK(has_line(page, "reloads:      2, last ok at 2026-12-02T14:03:12Z"));
    CHECK(has_line(page, "in flight:    3 calls"));
    check_fits(page);
}

TEST_CASE("debug text: method rows give calls, errors, rate and p50/p99 estimates, without the file path",
          "[debug-text]") {
    std::string page = render_debug_text(snapshot());
    INFO(page);
    std::string multiply;
    for (const auto& l : lines(page))
        if (l.find("Multiply") != std::string::npos) multiply = l;
    REQUIRE(!multiply.empty());
    CHECK(multiply.find("1234567") != std::string::npos);
    CHECK(multiply.find("12.5") != std::string::npos);
    CHECK(multiply.find("1.8us") != std::string::npos);  // p50
    CHECK(multiply.find("37.2us") != std::string::npos); // p99: an estimate, not the bound 50.0us
    CHECK(multiply.find("<=") == std::string::npos);
    CHECK(multiply.find("arith.so") == std::string::npos);
    // The file is in the plugin list, once.
    CHECK(page.find("/usr/lib/plugrpcd/plugins/arith.so") != std::string::npos);
    CHECK(page.find("/usr/lib/plugrpcd/plugins/arith.so") == page.rfind("/usr/lib/plugrpcd/plugins/arith.so"));
    check_fits(page);
}

TEST_CASE("debug text: no line over 80 columns with long names, paths, reasons and huge counts", "[debug-text]") {
    DebugSnapshot s = snapshot();
    std::string long_service(70, 'S'), long_method = "AMethodWhoseNameIsMuchLongerThanAnyColumn" + std::string(60, 'm');
    s.methods.push_back(row(long_service, long_method, 98765432109876ULL));
    s.methods.back().argument = "ArgumentsOfAStructWithAVeryLongName";
    s.methods.push_back(row("Ünïcödé", "Métodö", 5));
    s.method_count = s.methods.size();
    s.facts.emplace_back("config file", "/" + std::string(150, 'c') + "/plugrpcd.toml");
    s.listeners.push_back("unix:///" + std::string(120, 'u') + ".sock");
    s.failed_plugins.push_back({"/usr/lib/plugrpcd/plugins/" + std::string(90, 'b') + ".so",
                                "not a loadable shared object: " + std::string(200, 'r')});
    std::string page = render_debug_text(s);
    check_fits(page);
    CHECK(page.find(long_method.substr(0, 40)) != std::string::npos);
    CHECK(page.find("Métodö(Args) int64") != std::string::npos);
}

TEST_CASE("debug text: plugins that failed to load are listed with their reason", "[debug-text]") {
    DebugSnapshot s = snapshot();
    s.failed_plugins.push_back({"/usr/lib/plugrpcd/plugins/broken.so", "not a loadable shared object: not an ELF file"});
    std::string page = render_debug_text(s);
    INFO(page);
    auto at = page.find("FAILED TO LOAD\n/usr/lib/plugrpcd/plugins/broken.so\n  not a loadable shared object: "
                        "not an ELF file\n");
    CHECK(at != std::string::npos);
    CHECK(render_debug_text(snapshot()).find("FAILED TO LOAD") == std::string::npos);
}

TEST_CASE("debug text: an isolated plugin shows its process, state and restarts", "[debug-text]") {
    DebugSnapshot s = snapshot();
    s.plugins.back().process = PluginProcessStatus{7518, true, "up", 1, "signal 11 (SIGSEGV)"};
    std::string page = render_debug_text(s);
    INFO(page);
    check_fits(page);
    CHECK(page.find("/usr/lib/plugrpcd/plugins/arith.so\n  isolated: pid 7518, up, 1 restart, last: signal 11 "
                    "(SIGSEGV)\n") != std::string::npos);
    CHECK(render_debug_text(snapshot()).find("isolated:") == std::string::npos);
}

TEST_CASE("debug text: methods served beyond the rows taken are counted", "[debug-text]") {
    DebugSnapshot s = snapshot();
    s.method_count = 32;
    std::string page = render_debug_text(s);
    INFO(page);
    CHECK(page.find("serving:      32 methods") != std::string::npos);
    CHECK(page.find("... and 30 more methods: ?format=json lists every one") != std::string::npos);
}

} // namespace unit_debug_text
