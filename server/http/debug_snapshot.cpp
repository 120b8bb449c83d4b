#include "server/http/debug_snapshot.hpp"

#include "server/plugin/loaded_plugin.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
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
    s.methods.reserve(reg.method_count());
    for (const auto& [sname, svc] : reg.services())
        for (const auto& [mname, m] : svc.methods) {
            const MethodStats& st = *m->stats;
            DebugMethodRow r;
            r.service = sname;
            r.method = mname;
            r.argument = type_name(*m->args);
            r.reply = type_name(*m->reply);
            r.calls = st.calls.load(std::memory_order_relaxed);
            r.errors = st.errors.load(std::memory_order_relaxed);
            r.inflight = st.inflight.load(std::memory_order_relaxed);
            if (r.calls) {
                r.mean = double(st.total_ns.load(std::memory_order_relaxed)) / double(r.calls) * 1e-9;
                r.p50 = st.quantile(0.5);
                r.p99 = st.quantile(0.99);
            }
            if (const auto* track = view.find(st)) r.rate = track->rate();
            r.plugin = m->plugin->name + " " + m->plugin->version;
            r.source = m;
            s.methods.push_back(std::move(r));
        }
    if (options.charted > 0)
        for (const DebugMethodRow* r : busiest(s, options.charted))
            if (const auto* track = r->calls ? view.find(*r->source->stats) : nullptr)
                s.methods[static_cast<std::size_t>(r - s.methods.data())].history = track->steps(options.range);

    for (const auto& p : reg.plugins())
        s.plugins.push_back({p->name, p->version, p->description, p->file.string(), p->loaded_at, p->methods.size()});
    return s;
}

std::vector<const DebugMethodRow*> busiest(const DebugSnapshot& s, std::size_t n) {
    std::vector<const DebugMethodRow*> rows;
    rows.reserve(s.methods.size());
    for (const auto& r : s.methods) rows.push_back(&r);
    auto before = [](const DebugMethodRow* a, const DebugMethodRow* b) {
        double ra = a->rate.value_or(0), rb = b->rate.value_or(0);
        if (ra != rb) return ra > rb;
        if (a->calls != b->calls) return a->calls > b->calls;
        return a < b; // rows are in name order
    };
    n = std::min(n, rows.size());
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n), rows.end(), before);
    rows.resize(n);
    return rows;
}

} // namespace plugrpc
