#include "server/http/metrics.hpp"

#include "server/http/method_metrics.hpp"
#include "server/http/process_stats.hpp"
#include "server/net/batched_io.hpp"
#include "server/net/io_loop.hpp"
#include "server/plugin/loaded_plugin.hpp"

#include <sstream>

namespace plugrpc {
namespace {

// Label values escape backslash, quote and newline.
std::string label(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\', out += c;
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

void header(std::ostream& out, const char* name, const char* type, const char* help) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

} // namespace

std::string render_metrics(const ServeContext& ctx) {
    std::ostringstream out;
    out.precision(9);
    auto reg = ctx.dispatcher.registry();

    header(out, "plugrpc_build_info", "gauge", "Build information; always 1.");
    out << "plugrpc_build_info{version=\"" << PLUGRPC_VERSION << "\",abi=\"" << PLRPC_ABI_MAJOR << '.'
        << PLRPC_ABI_MINOR << "\"} 1\n";

    std::string methods;
    append_method_metrics(methods, *reg);
    out << methods;

    header(out, "plugrpc_calls_in_flight", "gauge", "Calls running now.");
    out << "plugrpc_calls_in_flight " << ctx.dispatcher.inflight() << '\n';

    header(out, "plugrpc_connections_open", "gauge", "Open connections, by protocol.");
    for (std::size_t p = 0; p < kProtocols; ++p)
        out << "plugrpc_connections_open{protocol=\"" << protocol_name(static_cast<Protocol>(p)) << "\"} "
            << ctx.connections.open[p].load() << '\n';
    header(out, "plugrpc_batched_looks_total", "counter",
           "Looks for work made while the network threads batched calls ([server] batch_wait); "
           "0 while batching has not paid.");
    out << "plugrpc_batched_looks_total " << batched_looks.load(std::memory_order_relaxed) << '\n';
    header(out, "plugrpc_batched_io_total", "counter",
           "HTTP reads and sends made together through io_uring while batching (net/batched_io.hpp), by op.");
    out << "plugrpc_batched_io_total{op=\"recv\"} " << batched_recvs.load(std::memory_order_relaxed) << '\n';
    out << "plugrpc_batched_io_total{op=\"send\"} " << batched_sends.load(std::memory_order_relaxed) << '\n';
    header(out, "plugrpc_connections_accepted_total", "counter", "Connections accepted.");
    out << "plugrpc_connections_accepted_total " << ctx.connections.accepted.load() << '\n';

    header(out, "plugrpc_plugins_loaded", "gauge", "Plugins loaded and serving.");
    out << "plugrpc_plugins_loaded " << reg->plugins().size() << '\n';
    bool any_isolated = false;
    for (const auto& p : reg->plugins()) any_isolated = any_isolated || p->process;
    if (any_isolated) {
        std::vector<std::pair<std::string, PluginProcessStatus>> isolated;
        for (const auto& p : reg->plugins())
            if (p->process) isolated.emplace_back(p->name, p->process->status());
        header(out, "plugrpc_plugin_up", "gauge", "Whether an isolated plugin's process serves calls (1) or not (0).");
        for (const auto& [name, st] : isolated) out << "plugrpc_plugin_up{plugin=\"" << label(name) << "\"} " << (st.up ? 1 : 0) << '\n';
        header(out, "plugrpc_plugin_restarts_total", "counter",
               "Times an isolated plugin's process died (crashed or was killed) and was restarted.");
        for (const auto& [name, st] : isolated) out << "plugrpc_plugin_restarts_total{plugin=\"" << label(name) << "\"} " << st.restarts << '\n';
    }
    header(out, "plugrpc_plugin_load_failures_total", "counter", "Plugin files that failed to load.");
    out << "plugrpc_plugin_load_failures_total " << ctx.counters.plugin_load_failures.load() << '\n';
    header(out, "plugrpc_reloads_total", "counter", "Configuration reloads (SIGHUP).");
    out << "plugrpc_reloads_total " << ctx.counters.reloads.load() << '\n';

    header(out, "plugrpc_limit_exceeded_total", "counter", "Requests or connections refused by a limit.");
    for (std::size_t k = 0; k < kLimitKinds; ++k)
        out << "plugrpc_limit_exceeded_total{limit=\"" << limit_name(static_cast<LimitKind>(k)) << "\"} "
            << ctx.counters.limits_exceeded[k].load() << '\n';
    out << "plugrpc_limit_exceeded_total{limit=\"max_inflight\"} " << ctx.dispatcher.busy_refusals() << '\n';
    out << "plugrpc_limit_exceeded_total{limit=\"max_concurrency\"} " << ctx.dispatcher.overload_refusals() << '\n';

    header(out, "plugrpc_calls_cancelled_total", "counter",
           "Calls ended before their answer because their caller went away (an HTTP client closed its "
           "connection while it waited, a stream was reset).");
    out << "plugrpc_calls_cancelled_total{reason=\"caller_gone\"} " << ctx.dispatcher.caller_gone_cancels() << '\n';
    header(out, "plugrpc_calls_refused_total", "counter",
           "Calls refused without running, by service and reason (access: the [access] rules).");
    for (const auto& [service, n] : ctx.counters.access_refused.snapshot())
        out << "plugrpc_calls_refused_total{service=\"" << label(service) << "\",reason=\"access\"} " << n << '\n';
    header(out, "plugrpc_proxy_protocol_refused_total", "counter",
           "Connections a PROXY protocol listener refused: missing (a trusted peer sent no v2 header), "
           "malformed, untrusted (a header from a peer not in proxy_trusted).");
    for (std::size_t r = 0; r < kProxyRefusals; ++r)
        out << "plugrpc_proxy_protocol_refused_total{reason=\"" << proxy_refusal_name(static_cast<ProxyRefusal>(r))
            << "\"} " << ctx.counters.proxy_refused[r].load() << '\n';

    header(out, "plugrpc_uptime_seconds", "gauge", "Seconds since the daemon started.");
    out << "plugrpc_uptime_seconds "
        << std::chrono::duration<double>(std::chrono::system_clock::now() - ctx.started).count() << '\n';
    if (auto process = read_process_stats()) out << process_metrics_text(*process);
    if (auto program = ctx.program.load(); program && program->metrics) out << program->metrics();
    return out.str();
}

} // namespace plugrpc
