// What /metrics costs with a large registry: 10,000 methods (tests/plugins/
// many) beside Arith. The page is rendered off the network threads
// (server/http/admin_worker.hpp), and a method that has never been called
// costs it one line; calls of Arith while it is scraped over and over are
// compared with calls without. Figures are printed; only wide bounds are
// asserted (a loaded 2-core machine runs these tests).
#include "daemon.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

using namespace plugrpc::test;

// The whole file in a namespace of its own: the unity build puts several
// test files in one unit.
namespace metrics_scale_test {

using Clock = std::chrono::steady_clock;

constexpr int kMethods = 10000;
constexpr int kClients = 4;

const std::string kCall = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":1})";
const std::string kReply = R"({"jsonrpc":"2.0","result":42,"id":1})";

struct Latencies {
    std::vector<double> ms; // every call's, sorted
    int failed = 0;
    double p99() const { return ms.empty() ? 0 : ms[ms.size() * 99 / 100]; }
    double max() const { return ms.empty() ? 0 : ms.back(); }
};

// kClients connections calling Arith.Multiply in a loop until `stop`; each
// answer checked and timed.
Latencies call_until(std::uint16_t port, const std::atomic<bool>& stop) {
    std::vector<Latencies> each(kClients);
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i)
        threads.emplace_back([&, i] {
            try {
                Connection c = Connection::tcp(port);
                while (!stop) {
                    auto start = Clock::now();
                    c.send_line(kCall);
                    bool right = c.recv_line(10s) == kReply;
                    each[i].ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
                    if (!right) ++each[i].failed;
                }
            } catch (const HarnessError&) {
                ++each[i].failed;
            }
        });
    for (auto& t : threads) t.join();
    Latencies all;
    for (auto& l : each) {
        all.ms.insert(all.ms.end(), l.ms.begin(), l.ms.end());
        all.failed += l.failed;
    }
    std::sort(all.ms.begin(), all.ms.end());
    return all;
}

Latencies calls_for(std::uint16_t port, Millis span) {
    std::atomic<bool> stop{false};
    std::thread timer([&] {
        std::this_thread::sleep_for(span);
        stop = true;
    });
    Latencies l = call_until(port, stop);
    timer.join();
    return l;
}

// A sample's value on the page, or -1 when the series is not there.
double sample(const std::string& page, const std::string& series) {
    auto at = page.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(page.substr(at + series.size() + 2));
}

TEST_CASE("scraping /metrics of 10,000 methods leaves Arith calls answered promptly") {
    DaemonOptions o;
    o.plugins.push_back(PLUGRPC_TEST_MANY_PLUGIN);
    o.extra_config = "[plugin.many]\nmethods = " + std::to_string(kMethods) + "\n";
    o.start_timeout = 60s;
    Daemon d(o);
    // A few of the many methods called.
    {
        Connection c = Connection::tcp(d.port());
        for (int i = 0; i < 3; ++i) {
            c.send_line(R"({"jsonrpc":"2.0","method":"Many.M)" + std::to_string(i) + R"(","params":[5],"id":1})");
            CHECK(c.recv_line() == R"({"jsonrpc":"2.0","result":)" + std::to_string(5 + i) + R"(,"id":1})");
        }
    }

    Latencies alone = calls_for(d.port(), 2000ms);

    std::atomic<bool> stop{false};
    std::vector<double> render_ms;
    std::size_t page_bytes = 0;
    std::string page;
    int scrape_failures = 0;
    std::thread scraper([&] {
        try {
            HttpClient http(d.port(), 30s);
            auto end = Clock::now() + 3000ms;
            while (Clock::now() < end || render_ms.size() < 3) {
                auto start = Clock::now();
                HttpResponse r = http.get("/metrics");
                render_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
                if (r.status != 200) ++scrape_failures;
                page_bytes = r.body.size();
                page = std::move(r.body);
            }
        } catch (const HarnessError& e) {
            std::cout << "scrape failed: " << e.what() << '\n';
            ++scrape_failures;
        }
        stop = true;
    });
    Latencies scraped = call_until(d.port(), stop);
    scraper.join();

    std::sort(render_ms.begin(), render_ms.end());
    std::cout << "/metrics with " << kMethods << " methods: " << page_bytes << " bytes; " << render_ms.size()
              << " scrapes in about 3 s, each " << render_ms.front() << " to " << render_ms.back()
              << " ms (request to last byte)\n"
              << "Arith.Multiply, " << kClients << " clients: without scrapes " << alone.ms.size() << " calls, p99 "
              << alone.p99() << " ms, max " << alone.max() << " ms; during scrapes " << scraped.ms.size()
              << " calls, p99 " << scraped.p99() << " ms, max " << scraped.max() << " ms\n";

    CHECK(scrape_failures == 0);
    CHECK(alone.failed == 0);
    CHECK(scraped.failed == 0);
    CHECK(scraped.max() < 500);
    // Methods never called cost one line each; the called ones keep every series.
    CHECK(page_bytes < 2'000'000);
    CHECK(sample(page, R"(plugrpc_calls_total{service="Many",method="M1",outcome="ok"})") == 1);
    CHECK(sample(page, R"(plugrpc_calls_total{service="Many",method="M1",outcome="error"})") == 0);
    CHECK(sample(page, R"(plugrpc_call_duration_seconds_count{service="Many",method="M1"})") == 1);
    CHECK(sample(page, R"(plugrpc_calls_rejected_total{service="Many",method="M1",reason="overloaded"})") == 0);
    CHECK(sample(page, R"(plugrpc_calls_total{service="Many",method="M9999",outcome="ok"})") == 0);
    CHECK(sample(page, R"(plugrpc_calls_total{service="Many",method="M9999",outcome="error"})") == -1);
    CHECK(sample(page, R"(plugrpc_call_duration_seconds_count{service="Many",method="M9999"})") == -1);
    CHECK(sample(page, R"(plugrpc_call_duration_seconds_count{service="Arith",method="Multiply"})") > 0);

    // The page is valid Prometheus text, where promtool is installed.
    if (shell("command -v promtool >/dev/null").first == 0) {
        TempDir dir;
        auto file = dir.write("page.txt", page);
        auto [status, out] = shell("promtool check metrics < " + file.string() + " 2>&1");
        INFO(out);
        CHECK(status == 0);
    }
}

} // namespace metrics_scale_test
