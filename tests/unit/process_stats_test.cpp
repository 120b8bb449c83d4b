// The process_* metrics: /proc/self/stat read field by field, whatever the
// command name holds.
#include "server/http/process_stats.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <ctime>

namespace unit_process_stats {

using namespace plugrpc;
using Approx = Catch::Detail::Approx;

// A line of /proc/self/stat as proc(5) lays it out; the command name holds
// spaces and a ')'.
constexpr std::string_view kStat =
    "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 3 0 12345 104857600 2560 "
    "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST_CASE("process stats: CPU, memory and start time from /proc/self/stat with a name holding ') '",
          "[process]") {
    auto p = parse_proc_stat(kStat, 1'700'000'000.0, 100, 4096);
    REQUIRE(p);
    CHECK(p->cpu_seconds == Approx(3.0));                    // (250 + 50) ticks / 100
    CHECK(p->start_time_seconds == Approx(1'700'000'123.45)); // btime + 12345 / 100
    CHECK(p->virtual_bytes == Approx(104857600.0));
    CHECK(p->resident_bytes == Approx(2560.0 * 4096));
    CHECK(p->parent_pid == 1); // field 4, after the name
}

TEST_CASE("process stats: a line that is cut short is no figures, not wrong ones", "[process]") {
    CHECK_FALSE(parse_proc_stat("4242 (name) S 1 2 3", 0, 100, 4096));
    CHECK_FALSE(parse_proc_stat("garbage", 0, 100, 4096));
}

TEST_CASE("process stats: this process's figures are plausible and render as Prometheus text", "[process]") {
    auto p = read_process_stats();
    REQUIRE(p);
    CHECK(p->resident_bytes > 0);
    CHECK(p->virtual_bytes >= p->resident_bytes);
    CHECK(p->start_time_seconds <= double(std::time(nullptr)) + 1);
    CHECK(p->start_time_seconds > double(std::time(nullptr)) - 3600);
    REQUIRE(p->open_fds);
    CHECK(*p->open_fds >= 3);
    std::string text = process_metrics_text(*p);
    for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                             "process_virtual_memory_bytes ", "process_start_time_seconds ", "process_open_fds "})
        CHECK(text.find(std::string("\n") + name) != std::string::npos);
    CHECK(text.find("# TYPE process_cpu_seconds_total counter") != std::string::npos);
}

} // namespace unit_process_stats
