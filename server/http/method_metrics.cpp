#include "server/http/method_metrics.hpp"

#include <charconv>
#include <cstdio>

namespace plugrpc {
namespace {

// Label values escape backslash, quote and newline.
void append_label(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\', out += c;
        else if (c == '\n') out += "\\n";
        else out += c;
    }
}

void append_uint(std::string& out, std::uint64_t v) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, end);
}

// As an ostream with precision 9 writes it ("1e-06", "0.025").
void append_double(std::string& out, double v) {
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%.9g", v);
    out.append(buf, static_cast<std::size_t>(n));
}

void header(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

// One method's figures, read once for the three families.
struct Figures {
    std::string labels; // service="...",method="..."
    const MethodStats* stats;
    std::uint64_t calls, errors, overloaded;
    bool active() const { return calls != 0 || overloaded != 0; }
};

std::vector<Figures> figures(const Registry& registry) {
    std::vector<Figures> all;
    for (const auto& [sname, svc] : registry.services())
        for (const auto& [mname, m] : svc.methods) {
            Figures f{{}, m->stats.get(), m->stats->calls.load(), m->stats->errors.load(), m->stats->overloaded.load()};
            f.labels = "service=\"";
            append_label(f.labels, sname);
            f.labels += "\",method=\"";
            append_label(f.labels, mname);
            f.labels += '"';
            all.push_back(std::move(f));
        }
    return all;
}

void sample(std::string& out, const char* name, const std::string& labels, const char* more, std::uint64_t v) {
    out += name;
    out += '{';
    out += labels;
    out += more;
    out += "} ";
    append_uint(out, v);
    out += '\n';
}

const std::string& bucket_bound(std::size_t i) {
    static const std::vector<std::string> bounds = [] {
        std::vector<std::string> b;
        for (double bound : kLatencyBounds) {
            std::string s = ",le=\"";
            append_double(s, bound);
            b.push_back(s + "\"");
        }
        b.push_back(",le=\"+Inf\"");
        return b;
    }();
    return bounds[i];
}

} // namespace

void append_method_metrics(std::string& out, const Registry& registry) {
    std::vector<Figures> methods = figures(registry);

    header(out, "plugrpc_calls_total", "counter", "Calls answered, by service, method and outcome.");
    for (const Figures& f : methods) {
        sample(out, "plugrpc_calls_total", f.labels, ",outcome=\"ok\"", f.calls - f.errors);
        if (f.active()) sample(out, "plugrpc_calls_total", f.labels, ",outcome=\"error\"", f.errors);
    }

    header(out, "plugrpc_calls_rejected_total", "counter",
           "Calls refused before they ran, by service, method and reason (overloaded: max_concurrency).");
    for (const Figures& f : methods)
        if (f.active()) sample(out, "plugrpc_calls_rejected_total", f.labels, ",reason=\"overloaded\"", f.overloaded);

    header(out, "plugrpc_call_duration_seconds", "histogram", "Time from dispatch to answer, by method.");
    for (const Figures& f : methods) {
        if (!f.active()) continue;
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < f.stats->buckets.size(); ++i) {
            cumulative += f.stats->buckets[i].load();
            sample(out, "plugrpc_call_duration_seconds_bucket", f.labels, bucket_bound(i).c_str(), cumulative);
        }
        out += "plugrpc_call_duration_seconds_sum{";
        out += f.labels;
        out += "} ";
        append_double(out, double(f.stats->total_ns.load()) * 1e-9);
        out += '\n';
        sample(out, "plugrpc_call_duration_seconds_count", f.labels, "", cumulative);
    }
}

} // namespace plugrpc
