#include "server/http/debug_page.hpp"

#include "server/plugin/loaded_plugin.hpp"

#include <boost/json/serialize.hpp>

#include <ctime>
#include <iomanip>
#include <sstream>

namespace plugrpc {
namespace json = boost::json;

DebugFormat choose_debug_format(std::string_view accept, std::string_view query) {
    auto has = [](std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; };
    if (has(query, "format=json")) return DebugFormat::Json;
    if (has(query, "format=html")) return DebugFormat::Html;
    if (has(query, "format=text")) return DebugFormat::Text;
    if (has(accept, "application/json")) return DebugFormat::Json;
    if (has(accept, "text/html")) return DebugFormat::Html;
    return DebugFormat::Text;
}

const char* debug_content_type(DebugFormat f) {
    switch (f) {
    case DebugFormat::Json: return "application/json";
    case DebugFormat::Html: return "text/html; charset=utf-8";
    default: return "text/plain; charset=utf-8";
    }
}

namespace {

struct Row {
    std::string service, method, args, reply, calls, errors, mean, p50, p99, plugin, file;
};

std::string format_duration(std::uint64_t ns) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1);
    if (ns < 1000) s << ns << "ns";
    else if (ns < 1000000) s << double(ns) / 1e3 << "us";
    else if (ns < 1000000000) s << double(ns) / 1e6 << "ms";
    else s << double(ns) / 1e9 << "s";
    return s.str();
}

std::string format_time(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::vector<Row> rows_of(const Registry& reg) {
    std::vector<Row> rows;
    for (const auto& [sname, svc] : reg.services()) {
        for (const auto& [mname, m] : svc.methods) {
            std::uint64_t calls = m->stats->calls.load(), errors = m->stats->errors.load();
            rows.push_back({sname, mname, type_name(*m->args), type_name(*m->reply), std::to_string(calls),
                            std::to_string(errors),
                            calls ? format_duration(m->stats->total_ns.load() / calls) : "-",
                            calls ? "<=" + format_duration(std::uint64_t(m->stats->quantile(0.5) * 1e9)) : "-",
                            calls ? "<=" + format_duration(std::uint64_t(m->stats->quantile(0.99) * 1e9)) : "-",
                            m->plugin->name + " " + m->plugin->version, m->plugin->file.string()});
        }
    }
    return rows;
}

std::string connections_line(const ServeContext& ctx) {
    std::string s;
    for (std::size_t p = 1; p < kProtocols; ++p) {
        if (!s.empty()) s += ", ";
        s += std::string(protocol_name(static_cast<Protocol>(p))) + " " +
             std::to_string(ctx.connections.open[p].load());
    }
    return s;
}

std::string text_page(const Registry& reg, const ServeContext& ctx) {
    std::vector<Row> rows = rows_of(reg);
    Row head{"SERVICE", "METHOD", "ARGUMENT", "REPLY", "CALLS", "ERRORS", "MEAN", "P50", "P99", "PLUGIN", "FILE"};
    std::array<std::size_t, 11> w{};
    auto fields = [](Row& r) {
        return std::array<std::string*, 11>{&r.service, &r.method, &r.args, &r.reply, &r.calls,  &r.errors,
                                             &r.mean,    &r.p50,    &r.p99,  &r.plugin, &r.file};
    };
    rows.insert(rows.begin(), head);
    for (auto& r : rows) {
        auto f = fields(r);
        for (std::size_t i = 0; i < f.size(); ++i) w[i] = std::max(w[i], f[i]->size());
    }
    std::ostringstream out;
    out << "plugrpcd " << PLUGRPC_VERSION << ": " << reg.services().size() << " services, " << reg.method_count()
        << " methods\n";
    out << "open connections: " << connections_line(ctx) << "\n\n";
    for (auto& r : rows) {
        auto f = fields(r);
        std::string line;
        for (std::size_t i = 0; i < f.size(); ++i) {
            line += *f[i];
            if (i + 1 < f.size()) line += std::string(w[i] - f[i]->size() + 2, ' ');
        }
        out << line << "\n";
    }
    out << "\nPLUGINS\n";
    for (const auto& p : reg.plugins())
        out << p->name << " " << p->version << "  " << p->file.string() << "  loaded " << format_time(p->loaded_at)
            << "  " << p->methods.size() << " methods\n";
    return out.str();
}

std::string escape_html(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string html_page(const Registry& reg, const ServeContext& ctx) {
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>plugrpcd services</title>"
           "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
           "td,th{padding:2px 10px;text-align:left}th{background:#eee}</style></head><body>\n"
        << "<h1>plugrpcd " << PLUGRPC_VERSION << "</h1>\n<p>Open connections: " << escape_html(connections_line(ctx))
        << "</p>\n";
    for (const auto& [sname, svc] : reg.services()) {
        out << "<h2>Service " << escape_html(sname) << "</h2>\n<p>Plugin " << escape_html(svc.plugin->name) << " "
            << escape_html(svc.plugin->version) << " from <code>" << escape_html(svc.plugin->file.string())
            << "</code></p>\n<table>\n<tr><th>Method</th><th>Calls</th><th>Errors</th><th>Mean</th></tr>\n";
        for (const auto& [mname, m] : svc.methods) {
            std::uint64_t calls = m->stats->calls.load();
            out << "<tr><td>" << escape_html(mname) << "(" << escape_html(type_name(*m->args)) << ", *"
                << escape_html(type_name(*m->reply)) << ") error</td><td>" << calls << "</td><td>"
                << m->stats->errors.load() << "</td><td>"
                << (calls ? format_duration(m->stats->total_ns.load() / calls) : "-") << "</td></tr>\n";
        }
        out << "</table>\n";
    }
    out << "<h2>Plugins</h2>\n<table>\n<tr><th>Name</th><th>Version</th><th>File</th><th>Loaded</th></tr>\n";
    for (const auto& p : reg.plugins())
        out << "<tr><td>" << escape_html(p->name) << "</td><td>" << escape_html(p->version) << "</td><td>"
            << escape_html(p->file.string()) << "</td><td>" << format_time(p->loaded_at) << "</td></tr>\n";
    out << "</table>\n</body></html>\n";
    return out.str();
}

std::string json_page(const Registry& reg, const ServeContext& ctx) {
    json::object root;
    root["version"] = PLUGRPC_VERSION;
    json::object conns;
    for (std::size_t p = 1; p < kProtocols; ++p)
        conns[protocol_name(static_cast<Protocol>(p))] = ctx.connections.open[p].load();
    root["connections"] = std::move(conns);
    json::array services;
    for (const auto& [sname, svc] : reg.services()) {
        json::object s;
        s["name"] = sname;
        s["plugin"] = svc.plugin->name;
        s["plugin_version"] = svc.plugin->version;
        s["file"] = svc.plugin->file.string();
        json::array methods;
        for (const auto& [mname, m] : svc.methods) {
            std::uint64_t calls = m->stats->calls.load();
            methods.push_back(json::object{
                {"name", mname},
                {"argument", type_name(*m->args)},
                {"reply", type_name(*m->reply)},
                {"argument_schema", schema_to_json(*m->args)},
                {"reply_schema", schema_to_json(*m->reply)},
                {"blocking", m->blocking()},
                {"calls", calls},
                {"errors", m->stats->errors.load()},
                {"mean_seconds", calls ? double(m->stats->total_ns.load()) / double(calls) / 1e9 : 0.0},
                {"p50_seconds", m->stats->quantile(0.5)},
                {"p99_seconds", m->stats->quantile(0.99)},
            });
        }
        s["methods"] = std::move(methods);
        services.push_back(std::move(s));
    }
    root["services"] = std::move(services);
    json::array plugins;
    for (const auto& p : reg.plugins())
        plugins.push_back(json::object{{"name", p->name},
                                       {"version", p->version},
                                       {"description", p->description},
                                       {"file", p->file.string()},
                                       {"loaded_at", format_time(p->loaded_at)}});
    root["plugins"] = std::move(plugins);
    return json::serialize(root) + "\n";
}

} // namespace

std::string render_debug_page(const Registry& reg, const ServeContext& ctx, DebugFormat f) {
    switch (f) {
    case DebugFormat::Json: return json_page(reg, ctx);
    case DebugFormat::Html: return html_page(reg, ctx);
    default: return text_page(reg, ctx);
    }
}

} // namespace plugrpc
