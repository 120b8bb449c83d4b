// The debug page's dashboard in headless Chromium, at a phone's width,
// served by the real daemon under a little load: the screenshot is a PNG of
// the window's size that shows something, and the DOM after the page has
// refreshed itself holds the drawn charts and the methods' names.
#include "daemon.hpp"
#include "json_helpers.hpp"
#include "png_check.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

using namespace plugrpc::test;

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

// Calls Arith.Multiply and Arith.Divide over one connection until stopped.
class Load {
public:
    explicit Load(std::uint16_t port)
        : thread_([this, port] {
              try {
                  Connection c = Connection::tcp(port);
                  for (int i = 0; !stop_; ++i) {
                      call_line(c, R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1})");
                      if (i % 3 == 0) call_line(c, R"({"method":"Arith.Divide","params":[{"A":7,"B":2}],"id":2})");
                      std::this_thread::sleep_for(5ms);
                  }
              } catch (const std::exception&) {
                  failed_ = true;
              }
          }) {}
    ~Load() {
        stop_ = true;
        thread_.join();
    }
    bool failed() const { return failed_; }

private:
    std::atomic<bool> stop_{false}, failed_{false};
    std::thread thread_;
};

// Headless Chromium at 390x844 with its own profile folder, killed after
// 90 s should it hang; `what` is --screenshot=FILE or --dump-dom. Its stdout.
std::pair<int, std::string> chromium(const TempDir& dir, const std::string& what, const std::string& url) {
    return shell("timeout -k 5 90 " + std::string(kChromium) +
                 " --headless=new --no-sandbox --disable-gpu --no-first-run --hide-scrollbars"
                 " --user-data-dir=" + (dir.path() / "profile").string() +
                 " --window-size=390,844 --virtual-time-budget=6000 " + what + " '" + url + "' 2>/dev/null");
}

} // namespace

TEST_CASE("the dashboard at a phone's width: a non-blank 390x844 screenshot, and charts of the methods called") {
    if (!std::filesystem::exists(kChromium)) FAIL("chromium is missing: scripts/setup installs it (Debian package chromium)");
    Daemon d;
    Load load(d.port());
    std::this_thread::sleep_for(3s); // a few steps of history to draw
    TempDir dir;
    std::string url = "http://127.0.0.1:" + std::to_string(d.port()) + "/debug/rpc";

    auto png_file = dir.path() / "dashboard.png";
    auto [shot_rc, shot_out] = chromium(dir, "--screenshot=" + png_file.string(), url);
    INFO("chromium --screenshot: exit " << shot_rc << "; " << shot_out);
    REQUIRE(std::filesystem::exists(png_file));
    std::string why;
    auto png = read_png(read_file(png_file), why);
    INFO(why);
    REQUIRE(png);
    CHECK(png->width == 390);
    CHECK(png->height == 844);
    CHECK(png->colours >= 50);                 // text, charts: a blank page has a handful
    CHECK(png->changed_rows >= png->height / 4); // something down the page, not one band

    auto [dom_rc, dom] = chromium(dir, "--dump-dom", url);
    INFO("chromium --dump-dom: exit " << dom_rc << "\n" << dom.substr(0, 4000));
    REQUIRE(dom_rc == 0);
    CHECK(contains(dom, "data-refreshed=\""));         // the snapshot was fetched and drawn
    CHECK(contains(dom, "data-method=\"Arith.Multiply\""));
    CHECK(contains(dom, "data-method=\"Arith.Divide\""));
    CHECK(contains(dom, "class=\"chart-rate\""));
    CHECK(contains(dom, "class=\"chart-latency\""));
    CHECK(contains(dom, "<polyline points=\""));
    CHECK(contains(dom, "Arith.Multiply(Args) int64"));
    CHECK_FALSE(load.failed());
}
