#include "server/http/debug_snapshot.hpp"

#include "server/plugin/loaded_plugin.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <cerrno>
#include <ctime>
#include <unistd.h>

namespace plugrpc {

std::string utc_time(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

DebugSnapshot take_debug_snapshot(const Registry& reg, const ServeContext& ctx, const SnapshotOptions& options) {
    DebugSnapshot s;
    auto program = ctx.program.load();
    s.program = program && !program->name.empty() ? program->name : program_invocation_short_name;
    s.version = PLUGRPC_VERSION;
    s.pid = static_cast<long>(::getpid());
    s.started = ctx.started;
    s.now = std::chrono::system_clock::now();
    if (auto l = ctx.listeners.load()) s.listeners = *l;
    auto level = spdlog::level::to_string_view(spdlog::get_level());
    s.log_level.assign(level.data(), level.size());
    for (std::size_t p = 1; p < kProtocols; ++p)
        s.connections.emplace_back(protocol_name(static_cast<Protocol>(p)), ctx.connections.open[p].load());
    s.inflight = ctx.dispatcher.inflight();
    if (program) {
        s.facts = program->facts;
        s.failed_plugins = program->failed_plugins;
    }
    s.services = reg.services().size();
    s.step_seconds = options.range == StatsHistory::Range::Fine ? 1 : int(StatsHistory::kCoarseEvery);

    auto view = ctx.history.view();
    s.untracked = view.untracked();
    s.method_count = reg.method_count();
    // First what choosing needs (a counter and a hash lookup per method),
    // then whole rows for the chosen only: with 10,000 methods the
    // dashboard's snapshot builds 50 rows, not 10,000.
    struct Candidate {
        const MethodPtr* ptr; // the registry's
        std::uint64_t calls;
        const Method* method() const { return ptr->get(); }
        const StatsHistory::Track* track;
        double rate() const { return track ? track->rate() : 0; }
    };
    std::vector<Candidate> chosen;
    chosen.reserve(std::min(s.method_count, options.rows));
    if (options.order == SnapshotOptions::Order::Name) {
        for (const auto& [sname, svc] : reg.services())
            for (const auto& [mname, m] : svc.methods) {
                if (chosen.size() == options.rows) break;
                chosen.push_back({&m, 0, view.find(*m->stats)});
            }
    } else {
        std::vector<Candidate> all;
        all.reserve(s.method_count);
        for (const auto& [sname, svc] : reg.services())
            for (const auto& [mname, m] : svc.methods)
                all.push_back({&m, m->stats->calls.load(std::memory_order_relaxed), view.find(*m->stats)});
        std::size_t n = std::min(options.rows, all.size());
        // Busiest by rate, then calls; ties in name order (the order of `all`).
        std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                          [](const Candidate& a, const Candidate& b) {
                              double ra = a.rate(), rb = b.rate();
                              if (ra != rb) return ra > rb;
                              if (a.calls != b.calls) return a.calls > b.calls;
                              return a.method()->full_name < b.method()->full_name;
                          });
        all.resize(n);
        chosen = std::move(all);
    }
    s.methods.reserve(chosen.size());
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        const Method& m = *chosen[i].method();
        const MethodStats& st = *m.stats;
        DebugMethodRow r;
        r.service = m.service;
        r.method = m.name;
        r.argument = type_name(*m.args);
        r.reply = type_name(*m.reply);
        r.calls = st.calls.load(std::memory_order_relaxed);
        r.errors = st.errors.load(std::memory_order_relaxed);
        r.inflight = st.inflight.load(std::memory_order_relaxed);
        if (r.calls) {
            r.mean = double(st.total_ns.load(std::memory_order_relaxed)) / double(r.calls) * 1e-9;
            r.p50 = st.quantile(0.5);
            r.p99 = st.quantile(0.99);
        }
        if (chosen[i].track) r.rate = chosen[i].track->rate();
        // The busiest `charted` with calls get their history.
        if (i < options.charted && r.calls && chosen[i].track && options.order == SnapshotOptions::Order::Busiest)
            r.history = chosen[i].track->steps(options.range);
        r.plugin = m.plugin->name + " " + m.plugin->version;
        r.source = *chosen[i].ptr;
        s.methods.push_back(std::move(r));
    }

    for (const auto& p : reg.plugins()) {
        s.plugins.push_back({p->name, p->version, p->description, p->file.string(), p->loaded_at, p->methods.size(), {}});
        if (p->process) s.plugins.back().process = p->process->status();
    }
    return s;
}

std::string DebugPluginRow::process_text() const {
    if (!process) return "in the daemon";
    std::string t = process->pid ? "pid " + std::to_string(process->pid) + ", " + process->state : process->state;
    t += ", " + std::to_string(process->restarts) + (process->restarts == 1 ? " restart" : " restarts");
    if (!process->last_exit.empty()) t += ", last: " + process->last_exit;
    return t;
}

} // namespace plugrpc
