#include "server/http/debug_json.hpp"

#include "server/plugin/loaded_plugin.hpp"
#include "wire/schema.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <map>

namespace plugrpc {
namespace json = boost::json;
namespace {

json::object status_json(const DebugSnapshot& s) {
    json::object st;
    st["program"] = s.program;
    st["version"] = s.version;
    st["pid"] = s.pid;
    st["started"] = utc_time(s.started);
    st["uptime_seconds"] = std::chrono::duration<double>(s.now - s.started).count();
    json::array listeners;
    for (const auto& l : s.listeners) listeners.push_back(json::string(l));
    st["listeners"] = std::move(listeners);
    st["log_level"] = s.log_level;
    json::object conns;
    for (const auto& [p, n] : s.connections) conns[p] = n;
    st["connections"] = std::move(conns);
    st["calls_in_flight"] = s.inflight;
    json::array facts; // pairs, in the program's order
    for (const auto& [k, v] : s.facts) facts.push_back(json::array{json::string(k), json::string(v)});
    st["facts"] = std::move(facts);
    st["services"] = s.services;
    st["methods"] = s.method_count;
    st["plugins"] = s.plugins.size();
    json::array failed;
    for (const auto& f : s.failed_plugins)
        failed.push_back(json::object{{"file", f.file.string()}, {"reason", f.reason}});
    st["failed_plugins"] = std::move(failed);
    st["untracked_methods"] = s.untracked;
    return st;
}

json::value rate_json(const std::optional<double>& r) { return r ? json::value(*r) : json::value(nullptr); }

json::object figures(const DebugMethodRow& r) {
    return json::object{{"calls", r.calls},
                        {"errors", r.errors},
                        {"calls_in_flight", r.inflight},
                        {"rate_per_second", rate_json(r.rate)},
                        {"mean_seconds", r.mean},
                        {"p50_seconds", r.p50},
                        {"p99_seconds", r.p99}};
}

} // namespace

std::string render_debug_json(const DebugSnapshot& s) {
    json::object root;
    root["version"] = s.version;
    root["status"] = status_json(s);
    json::object conns;
    for (const auto& [p, n] : s.connections) conns[p] = n;
    root["connections"] = std::move(conns);
    std::map<std::string_view, const DebugPluginRow*> by_plugin;
    json::array services;
    json::object* service = nullptr;
    for (const auto& r : s.methods) {
        if (!service || service->at("name").as_string() != r.service) {
            json::object svc;
            svc["name"] = r.service;
            if (r.source && r.source->plugin) {
                svc["plugin"] = r.source->plugin->name;
                svc["plugin_version"] = r.source->plugin->version;
                svc["file"] = r.source->plugin->file.string();
            }
            svc["methods"] = json::array();
            services.push_back(std::move(svc));
            service = &services.back().as_object();
        }
        json::object m = figures(r);
        m["name"] = r.method;
        m["argument"] = r.argument;
        m["reply"] = r.reply;
        if (r.source) {
            m["argument_schema"] = schema_to_json(*r.source->args);
            m["reply_schema"] = schema_to_json(*r.source->reply);
            m["blocking"] = r.source->blocking();
        }
        service->at("methods").as_array().push_back(std::move(m));
    }
    root["services"] = std::move(services);
    json::array plugins;
    for (const auto& p : s.plugins) {
        json::value process; // null: in the daemon
        if (p.process)
            process = json::object{{"pid", p.process->pid},
                                   {"up", p.process->up},
                                   {"state", p.process->state},
                                   {"restarts", p.process->restarts},
                                   {"last_exit", p.process->last_exit}};
        plugins.push_back(json::object{{"name", p.name},
                                       {"version", p.version},
                                       {"description", p.description},
                                       {"file", p.file},
                                       {"loaded_at", utc_time(p.loaded_at)},
                                       {"methods", p.methods},
                                       {"isolated", std::move(process)}});
    }
    root["plugins"] = std::move(plugins);
    return json::serialize(root) + "\n";
}

std::string render_debug_live(const DebugSnapshot& s) {
    json::object root;
    root["status"] = status_json(s);
    json::array methods, series;
    for (const auto& row : s.methods) {
        const DebugMethodRow* r = &row;
        json::object m = figures(*r);
        m["name"] = r->full_name();
        m["argument"] = r->argument;
        m["reply"] = r->reply;
        methods.push_back(std::move(m));
        if (r->history.empty()) continue;
        json::array rate, p50, p99;
        for (const auto& st : r->history) {
            rate.push_back(double(st.calls) / s.step_seconds);
            // Rounded to the nanosecond: the snapshot stays small.
            p50.push_back(std::round(double(st.p50) * 1e9) / 1e9);
            p99.push_back(std::round(double(st.p99) * 1e9) / 1e9);
        }
        series.push_back(json::object{{"name", r->full_name()},
                                      {"calls_per_second", std::move(rate)},
                                      {"p50_seconds", std::move(p50)},
                                      {"p99_seconds", std::move(p99)}});
    }
    root["methods"] = std::move(methods);
    root["series"] = json::object{{"step_seconds", s.step_seconds}, {"methods", std::move(series)}};
    return json::serialize(root) + "\n";
}

} // namespace plugrpc
