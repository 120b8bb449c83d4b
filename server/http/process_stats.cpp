#include "server/http/process_stats.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ctime>

#include <fstream>
#include <sstream>
#include <vector>

namespace plugrpc {

std::optional<ProcessStats> parse_proc_stat(std::string_view stat, double boot_time, long ticks, long page_size) {
    auto close = stat.rfind(')');
    if (close == std::string_view::npos || ticks <= 0) return std::nullopt;
    // Fields from 3 (state) on, after "pid (comm) ".
    std::istringstream in{std::string(stat.substr(close + 1))};
    std::vector<std::string> f;
    for (std::string word; in >> word;) f.push_back(word);
    // Field n (1-based, as proc(5) numbers them) is f[n - 3].
    auto field = [&](std::size_t n) -> std::optional<double> {
        if (n < 3 || n - 3 >= f.size()) return std::nullopt;
        try {
            return std::stod(f[n - 3]);
        } catch (...) {
            return std::nullopt;
        }
    };
    auto ppid = field(4), utime = field(14), stime = field(15), start = field(22), vsize = field(23), rss = field(24);
    if (!ppid || !utime || !stime || !start || !vsize || !rss) return std::nullopt;
    ProcessStats p;
    p.parent_pid = static_cast<long>(*ppid);
    p.cpu_seconds = (*utime + *stime) / double(ticks);
    p.start_time_seconds = boot_time + *start / double(ticks);
    p.virtual_bytes = *vsize;
    p.resident_bytes = *rss * double(page_size);
    return p;
}

namespace {

std::optional<double> boot_time() {
    std::ifstream in("/proc/stat");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
    return std::nullopt;
}

std::optional<double> open_fds() {
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) return std::nullopt;
    double n = 0;
    while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n - 1; // not the one opendir holds
}

} // namespace

std::optional<ProcessStats> read_process_stats() {
    std::ifstream in("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto boot = boot_time();
    if (stat.empty() || !boot) return std::nullopt;
    auto p = parse_proc_stat(stat, *boot, ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE));
    if (!p) return std::nullopt;
    // /proc counts CPU in clock ticks (10 ms): a daemon that has done
    // little reads 0. The process clock counts nanoseconds.
    timespec cpu{};
    if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0)
        p->cpu_seconds = double(cpu.tv_sec) + double(cpu.tv_nsec) / 1e9;
    p->open_fds = open_fds();
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) p->max_fds = double(rl.rlim_cur);
    return p;
}

std::string process_metrics_text(const ProcessStats& p) {
    std::ostringstream out;
    out.precision(15);
    auto metric = [&](const char* name, const char* type, const char* help, double value) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
            << name << ' ' << value << '\n';
    };
    metric("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", p.cpu_seconds);
    metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", p.resident_bytes);
    metric("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", p.virtual_bytes);
    metric("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
           p.start_time_seconds);
    if (p.open_fds) metric("process_open_fds", "gauge", "Number of open file descriptors.", *p.open_fds);
    if (p.max_fds) metric("process_max_fds", "gauge", "Maximum number of open file descriptors.", *p.max_fds);
    return out.str();
}

} // namespace plugrpc
