#include "server/http/debug_text.hpp"

#include <plugrpc/abi.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace plugrpc {

std::size_t text_width(std::string_view text) {
    std::size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return n;
}

std::string short_duration(double s) {
    if (!(s > 0)) return "-";
    char buf[32];
    if (s < 1e-6) std::snprintf(buf, sizeof buf, "%.0fns", s * 1e9);
    else if (s < 1e-3) std::snprintf(buf, sizeof buf, "%.1fus", s * 1e6);
    else if (s < 1) std::snprintf(buf, sizeof buf, "%.1fms", s * 1e3);
    else if (s < 1000) std::snprintf(buf, sizeof buf, "%.1fs", s);
    else std::snprintf(buf, sizeof buf, "%.0fs", std::min(s, 999999.0));
    return buf;
}

namespace {

// Cut `text` into lines of at most `width` columns, breaking after ", ",
// else after a space, else after '/', where that leaves at least half a
// line; else anywhere.
std::vector<std::string> wrap(std::string_view text, std::size_t width) {
    std::vector<std::string> lines;
    while (text_width(text) > width) {
        // The byte offset where `width` columns end.
        std::size_t end = 0, cols = 0;
        while (end < text.size() && cols < width) {
            ++end;
            while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
            ++cols;
        }
        std::string_view head = text.substr(0, end);
        std::size_t cut = end;
        for (std::string_view after : {", ", " ", "/"}) {
            auto at = head.rfind(after);
            if (at != std::string_view::npos && at + after.size() >= end / 2 && at + after.size() <= end) {
                cut = at + after.size();
                break;
            }
        }
        std::string line(text.substr(0, cut));
        while (!line.empty() && line.back() == ' ') line.pop_back();
        lines.push_back(std::move(line));
        text.remove_prefix(cut);
    }
    if (!text.empty() || lines.empty()) lines.emplace_back(text);
    return lines;
}

// A count in at most `width` columns: 123456789, then 1.2G.
std::string count_text(double n, std::size_t width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", n);
    if (std::strlen(buf) <= width) return buf;
    const char* units = "kMGTPE";
    for (int i = 0; units[i]; ++i) {
        n /= 1000;
        std::snprintf(buf, sizeof buf, n < 10 ? "%.1f%c" : "%.0f%c", n, units[i]);
        if (std::strlen(buf) <= width) return buf;
    }
    return buf;
}

std::string rate_text(const std::optional<double>& rate) {
    if (!rate) return "-";
    char buf[32];
    if (*rate < 100) std::snprintf(buf, sizeof buf, "%.1f", *rate);
    else return count_text(*rate, 7);
    return buf;
}

std::string uptime_text(std::chrono::seconds up) {
    long s = std::max<long>(0, static_cast<long>(up.count()));
    long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
    s %= 60;
    std::string out;
    if (d) out += std::to_string(d) + "d";
    if (d || h) out += std::to_string(h) + "h";
    if (d || h || m) out += std::to_string(m) + "m";
    return out + std::to_string(s) + "s";
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The key column of the header: "config file: " padded to this.
constexpr std::size_t kKeyColumns = 14;

void fact(std::ostringstream& out, std::string_view key, std::string_view value) {
    std::string head = std::string(key) + ":";
    std::size_t keycols = std::max(kKeyColumns, text_width(head) + 1);
    if (keycols >= kTextColumns / 2) { // a key too long to sit beside its value
        for (const auto& l : wrap(head, kTextColumns)) out << l << '\n';
        for (const auto& l : wrap(value, kTextColumns - kKeyColumns)) out << std::string(kKeyColumns, ' ') << l << '\n';
        return;
    }
    bool first = true;
    for (const auto& l : wrap(value, kTextColumns - keycols)) {
        out << (first ? head + std::string(keycols - text_width(head), ' ') : std::string(keycols, ' ')) << l
            << '\n';
        first = false;
    }
}

// Method rows: the signature in the first columns, then six right-aligned
// figures of fixed width. A signature wider than its column gets a line
// of its own, and its figures the next.
struct Column {
    const char* head;
    std::size_t width;
};
constexpr Column kFigures[] = {{"CALLS", 10}, {"ERRORS", 8}, {"RATE/S", 8}, {"MEAN", 8}, {"P50", 8}, {"P99", 8}};
constexpr std::size_t kFigureColumns = 50;
constexpr std::size_t kNameColumns = kTextColumns - kFigureColumns;

std::string right(const std::string& s, std::size_t width) {
    return std::string(width > text_width(s) ? width - text_width(s) : 1, ' ') + s;
}

void method_row(std::ostringstream& out, std::string_view name, const std::array<std::string, 6>& figures) {
    std::string tail;
    for (std::size_t i = 0; i < 6; ++i) tail += right(figures[i], kFigures[i].width);
    std::size_t cols = text_width(name);
    if (cols <= kNameColumns) {
        out << name << std::string(kNameColumns - cols, ' ') << tail << '\n';
        return;
    }
    for (const auto& l : wrap(name, kTextColumns)) out << l << '\n';
    out << std::string(kNameColumns, ' ') << tail << '\n';
}

} // namespace

std::string render_debug_text(const DebugSnapshot& s) {
    std::ostringstream out;
    out << s.program << ' ' << s.version << '\n';
    fact(out, "version", s.version + " (plugin ABI " + std::to_string(PLRPC_ABI_MAJOR) + "." +
                             std::to_string(PLRPC_ABI_MINOR) + ")");
    fact(out, "pid", std::to_string(s.pid));
    fact(out, "started", utc_time(s.started) + ", up " +
                             uptime_text(std::chrono::duration_cast<std::chrono::seconds>(s.now - s.started)));
    std::string listeners;
    for (const auto& l : s.listeners) listeners += (listeners.empty() ? "" : ", ") + l;
    fact(out, "listeners", listeners.empty() ? "none" : listeners);
    fact(out, "log level", s.log_level);
    for (const auto& [k, v] : s.facts) fact(out, k, v);
    std::string conns;
    for (const auto& [p, n] : s.connections) conns += (conns.empty() ? "" : ", ") + p + " " + std::to_string(n);
    fact(out, "connections", conns);
    fact(out, "in flight", plural(s.inflight, "call", "calls"));
    fact(out, "serving", plural(s.method_count, "method", "methods") + " in " +
                             plural(s.services, "service", "services") + " from " +
                             plural(s.plugins.size(), "plugin", "plugins"));

    out << "\nMETHOD" << std::string(kNameColumns - 6, ' ');
    for (const auto& c : kFigures) out << right(c.head, c.width);
    out << '\n';
    std::string service;
    for (const auto& r : s.methods) {
        if (r.service != service) {
            service = r.service;
            for (const auto& l : wrap(service, kTextColumns)) out << l << '\n';
        }
        std::string sig = "  " + r.method + "(" + r.argument + ") " + r.reply;
        method_row(out, sig,
                   {count_text(double(r.calls), 9), count_text(double(r.errors), 7), rate_text(r.rate),
                    short_duration(r.mean), short_duration(r.p50), short_duration(r.p99)});
    }
    if (s.method_count > s.methods.size())
        for (const auto& l : wrap("... and " + std::to_string(s.method_count - s.methods.size()) +
                                      " more methods: ?format=json lists every one",
                                  kTextColumns))
            out << l << '\n';
    out << "\nRATE/S: calls per second over the last 10 s";
    if (s.untracked) out << " (\"-\": not tracked, over " << StatsHistory::kMaxSeries << " methods)";
    out << ".\nP50, P99: estimated within the latency histogram's buckets.\n";

    out << "\nPLUGINS\n";
    if (s.plugins.empty()) out << "none\n";
    for (const auto& p : s.plugins) {
        for (const auto& l : wrap(p.name + " " + p.version + ", " + plural(p.methods, "method", "methods") +
                                      ", loaded " + utc_time(p.loaded_at),
                                  kTextColumns))
            out << l << '\n';
        if (!p.file.empty())
            for (const auto& l : wrap(p.file, kTextColumns - 2)) out << "  " << l << '\n';
        if (p.process)
            for (const auto& l : wrap("isolated: " + p.process_text(), kTextColumns - 2)) out << "  " << l << '\n';
    }
    if (!s.failed_plugins.empty()) {
        out << "\nFAILED TO LOAD\n";
        for (const auto& f : s.failed_plugins) {
            for (const auto& l : wrap(f.file.string(), kTextColumns)) out << l << '\n';
            for (const auto& l : wrap(f.reason, kTextColumns - 2)) out << "  " << l << '\n';
        }
    }
    return out.str();
}

} // namespace plugrpc
