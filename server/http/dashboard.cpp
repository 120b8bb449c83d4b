#include "server/http/dashboard.hpp"

#include "server/http/debug_json.hpp"
#include "server/http/debug_text.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <cstdio>
#include <sstream>

namespace plugrpc {
namespace {

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

std::string rate_cell(const std::optional<double>& rate) {
    if (!rate) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, *rate < 100 ? "%.1f" : "%.0f", *rate);
    return buf;
}

// A JSON string literal safe inside <script>.
std::string script_string(std::string_view s) {
    std::string out;
    for (char c : boost::json::serialize(boost::json::string(s))) {
        if (c == '<') out += "\\u003c";
        else out += c;
    }
    return out;
}

constexpr std::string_view kStyle = R"(
:root{--fg:#1d232a;--mute:#5f6b76;--line:#d8dde2;--bg:#fff;--card:#f6f8fa;--a:#1f6feb;--b:#d1242f}
*{box-sizing:border-box}
body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main{padding:12px 16px;max-width:1200px;margin:0 auto}
header{display:flex;flex-wrap:wrap;gap:4px 16px;align-items:baseline;border-bottom:1px solid var(--line)}
h1{font-size:20px;margin:0}
h2{font-size:16px;margin:20px 0 8px}
nav a{margin-right:12px;color:var(--a)}
#state{color:var(--mute);font-size:13px;margin-left:auto}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dt{color:var(--mute)}dd{margin:0;overflow-wrap:anywhere}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
.chart{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.chart h3{font-size:14px;margin:0 0 4px;overflow-wrap:anywhere}
.chart p{margin:2px 0;font-size:12px;color:var(--mute)}
svg{display:block;width:100%;height:70px;background:var(--bg);border:1px solid var(--line)}
.rate{fill:none;stroke:var(--a);stroke-width:1.5}
.p50{fill:none;stroke:var(--b);stroke-width:1.5}
.p99{fill:none;stroke:var(--b);stroke-width:1;stroke-dasharray:4 3}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:3px 8px;text-align:right;border-bottom:1px solid var(--line);white-space:nowrap}
th:first-child,td:first-child{text-align:left;white-space:normal;overflow-wrap:anywhere}
th{background:var(--card)}
.range button{font:inherit;font-size:13px;padding:2px 8px}
.range button[aria-pressed=true]{background:var(--fg);color:var(--bg)}
.failed li{margin-bottom:4px}.failed code{overflow-wrap:anywhere}
code{font-size:13px}
@media (max-width:600px){body{font-size:14px}.charts{grid-template-columns:1fr}th,td{padding:3px 4px}}
)";

constexpr std::string_view kScript = R"(
"use strict";
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
let range = "2m";
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function dur(s) {
  if (!(s > 0)) return "-";
  if (s < 1e-6) return (s * 1e9).toFixed(0) + "ns";
  if (s < 1e-3) return (s * 1e6).toFixed(1) + "us";
  if (s < 1) return (s * 1e3).toFixed(1) + "ms";
  return s.toFixed(1) + "s";
}
function num(n) { return n === null ? "-" : (n < 100 ? n.toFixed(1) : Math.round(n).toString()); }
function uptime(s) {
  s = Math.floor(s); const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return (d ? d + "d" : "") + (d || h ? h + "h" : "") + (d || h || m ? m + "m" : "") + (s % 60) + "s";
}
function line(svg, values, max, cls) {
  const n = values.length, p = document.createElementNS(SVG, "polyline");
  const pts = values.map((v, i) => ((n < 2 ? 300 : (i * 300) / (n - 1)).toFixed(1) + "," +
                                   (98 - (max > 0 ? v / max : 0) * 94).toFixed(1)));
  p.setAttribute("points", pts.join(" "));
  p.setAttribute("class", cls);
  svg.appendChild(p);
}
function chart(cls, label, series, max) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 300 100");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("class", cls);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  for (const [values, c] of series) line(svg, values, max, c);
  return svg;
}
function status(d) {
  const s = d.status, dl = $("status");
  const rows = [["version", s.version], ["pid", s.pid], ["started", s.started + ", up " + uptime(s.uptime_seconds)],
                ["listeners", s.listeners.join(", ") || "none"], ["log level", s.log_level]];
  for (const [k, v] of s.facts) rows.push([k, v]);
  rows.push(["connections", Object.entries(s.connections).map(([k, v]) => k + " " + v).join(", ")]);
  const n = (k, one, many) => k + " " + (k === 1 ? one : many);
  rows.push(["in flight", n(s.calls_in_flight, "call", "calls")]);
  rows.push(["serving", n(s.methods, "method", "methods") + " in " + n(s.services, "service", "services") +
                        " from " + n(s.plugins, "plugin", "plugins")]);
  dl.replaceChildren();
  for (const [k, v] of rows) { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", String(v))); }
  const failed = $("failed");
  failed.replaceChildren();
  for (const f of s.failed_plugins) {
    const li = el("li"); li.appendChild(el("code", f.file)); li.appendChild(el("div", f.reason)); failed.appendChild(li);
  }
  $("failed-head").hidden = s.failed_plugins.length === 0;
}
function charts(d) {
  const box = $("charts"), step = d.series.step_seconds;
  const list = d.series.methods.slice().sort((a, b) =>
      b.calls_per_second.reduce((x, y) => x + y, 0) - a.calls_per_second.reduce((x, y) => x + y, 0));
  box.replaceChildren();
  if (list.length === 0) box.appendChild(el("p", "No calls yet: charts appear once methods are called."));
  for (const m of list) {
    const card = el("section", undefined, "chart");
    card.dataset.method = m.name;
    card.appendChild(el("h3", m.name));
    const n = m.calls_per_second.length, rmax = Math.max(...m.calls_per_second, 0);
    const lmax = Math.max(...m.p99_seconds, ...m.p50_seconds, 0);
    const last = n ? m.calls_per_second[n - 1] : 0;
    card.appendChild(el("p", "calls/s: now " + num(last) + ", peak " + num(rmax)));
    card.appendChild(chart("chart-rate", m.name + " calls per second", [[m.calls_per_second, "rate"]], rmax));
    card.appendChild(el("p", "latency p50 (solid), p99 (dashed): top " + dur(lmax)));
    card.appendChild(chart("chart-latency", m.name + " latency", [[m.p50_seconds, "p50"], [m.p99_seconds, "p99"]], lmax));
    card.appendChild(el("p", "last " + Math.round(n * step / 60 * 10) / 10 + " min, one point per " + step + " s"));
    box.appendChild(card);
  }
}
function table(d) {
  const body = $("methods");
  body.replaceChildren();
  for (const m of d.methods) {
    const tr = el("tr");
    tr.appendChild(el("td", m.name + "(" + m.argument + ") " + m.reply));
    for (const v of [m.calls, m.errors, num(m.rate_per_second), dur(m.mean_seconds), dur(m.p50_seconds),
                     dur(m.p99_seconds)])
      tr.appendChild(el("td", String(v)));
    body.appendChild(tr);
  }
  const more = d.status.methods - d.methods.length;
  $("more").textContent = more > 0 ? "The " + d.methods.length + " busiest of " + d.status.methods +
      " methods; ?format=json lists every one." : "";
}
async function refresh() {
  try {
    const r = await fetch(PATH + "?format=live&range=" + range, {cache: "no-store"});
    if (!r.ok) throw new Error("HTTP " + r.status);
    const d = await r.json();
    status(d); charts(d); table(d);
    $("state").textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  } catch (e) {
    $("state").textContent = "cannot refresh: " + e.message;
  }
}
for (const b of document.querySelectorAll(".range button"))
  b.addEventListener("click", () => {
    range = b.dataset.range;
    for (const o of document.querySelectorAll(".range button")) o.setAttribute("aria-pressed", String(o === b));
    refresh();
  });
refresh();
setInterval(refresh, 2000);
)";

} // namespace

std::string render_dashboard(const DebugSnapshot& s, std::string_view debug_path) {
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
           "<title>"
        << escape_html(s.program) << " " << escape_html(s.version) << "</title><style>" << kStyle
        << "</style></head>\n<body>\n<header><h1>" << escape_html(s.program) << " " << escape_html(s.version)
        << "</h1><nav><a href=\"/metrics\">/metrics</a><a href=\"/openrpc.json\">/openrpc.json</a>"
           "<a href=\"" << escape_html(debug_path) << "?format=json\">JSON</a><a href=\"" << escape_html(debug_path)
        << "?format=text\">text</a></nav><span id=\"state\">not yet refreshed</span></header>\n<main>\n"
           "<dl id=\"status\">";
    auto fact = [&](std::string_view k, const std::string& v) {
        out << "<dt>" << escape_html(k) << "</dt><dd>" << escape_html(v) << "</dd>";
    };
    fact("pid", std::to_string(s.pid));
    fact("started", utc_time(s.started));
    std::string listeners;
    for (const auto& l : s.listeners) listeners += (listeners.empty() ? "" : ", ") + l;
    fact("listeners", listeners.empty() ? "none" : listeners);
    fact("log level", s.log_level);
    for (const auto& [k, v] : s.facts) fact(k, v);
    fact("in flight", std::to_string(s.inflight) + " calls");
    out << "</dl>\n<h2>Calls per second and latency</h2>\n"
           "<div class=\"range\" role=\"group\" aria-label=\"range\">"
           "<button data-range=\"2m\" aria-pressed=\"true\">2 min</button> "
           "<button data-range=\"10m\" aria-pressed=\"false\">10 min</button></div>\n"
           "<div id=\"charts\" class=\"charts\"></div>\n<h2>Methods</h2>\n<div class=\"scroll\"><table><thead><tr>"
           "<th>Method</th><th>Calls</th><th>Errors</th><th>Calls/s</th><th>Mean</th><th>p50</th><th>p99</th>"
           "</tr></thead><tbody id=\"methods\">";
    for (const auto& row : s.methods) {
        const DebugMethodRow* r = &row;
        out << "<tr><td>" << escape_html(r->full_name()) << "(" << escape_html(r->argument) << ") "
            << escape_html(r->reply) << "</td><td>" << r->calls << "</td><td>" << r->errors << "</td><td>"
            << rate_cell(r->rate) << "</td><td>" << short_duration(r->mean) << "</td><td>"
            << short_duration(r->p50) << "</td><td>" << short_duration(r->p99) << "</td></tr>";
    }
    out << "</tbody></table></div><p id=\"more\"></p>\n<h2>Plugins</h2>\n<div class=\"scroll\"><table><thead><tr>"
           "<th>File</th><th>Plugin</th><th>Methods</th><th>Loaded</th><th>Runs</th></tr></thead><tbody>";
    for (const auto& p : s.plugins)
        out << "<tr><td><code>" << escape_html(p.file) << "</code></td><td>" << escape_html(p.name) << " "
            << escape_html(p.version) << "</td><td>" << p.methods << "</td><td>" << utc_time(p.loaded_at)
            << "</td><td>" << escape_html(p.process_text()) << "</td></tr>";
    out << "</tbody></table></div>\n<h2 id=\"failed-head\"" << (s.failed_plugins.empty() ? " hidden" : "")
        << ">Failed to load</h2>\n<ul id=\"failed\" class=\"failed\">";
    for (const auto& f : s.failed_plugins)
        out << "<li><code>" << escape_html(f.file.string()) << "</code><div>" << escape_html(f.reason)
            << "</div></li>";
    out << "</ul>\n</main>\n<script>\nconst PATH = " << script_string(debug_path) << ";" << kScript
        << "</script>\n</body></html>\n";
    return out.str();
}

} // namespace plugrpc
