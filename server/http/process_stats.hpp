// The standard process_* metrics of Prometheus' client libraries, read
// from /proc/self and getrlimit: CPU time, memory, file descriptors and the
// start time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace plugrpc {

struct ProcessStats {
    double cpu_seconds = 0;       // user + system
    double resident_bytes = 0;
    double virtual_bytes = 0;
    double start_time_seconds = 0; // since the Unix epoch
    long parent_pid = 0;
    std::optional<double> open_fds;
    std::optional<double> max_fds; // the soft limit; none when unlimited
};

// From the text of /proc/self/stat, the boot time (/proc/stat's btime),
// clock ticks per second and the page size. None when it cannot be read.
// (The command name, field 2, may hold spaces and parentheses: the fields
// are counted from its last ')'.)
std::optional<ProcessStats> parse_proc_stat(std::string_view stat, double boot_time, long ticks, long page_size);

// This process's figures now; none where /proc cannot be read.
std::optional<ProcessStats> read_process_stats();

// As Prometheus text: process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds,
// process_max_fds.
std::string process_metrics_text(const ProcessStats& p);

} // namespace plugrpc
