#include "server/http/debug_page.hpp"

#include "server/http/dashboard.hpp"
#include "server/http/debug_json.hpp"
#include "server/http/debug_snapshot.hpp"
#include "server/http/debug_text.hpp"

namespace plugrpc {
namespace {

bool has(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

} // namespace

DebugFormat choose_debug_format(std::string_view accept, std::string_view query) {
    if (has(query, "format=json")) return DebugFormat::Json;
    if (has(query, "format=live")) return DebugFormat::Live;
    if (has(query, "format=html")) return DebugFormat::Html;
    if (has(query, "format=text")) return DebugFormat::Text;
    if (has(accept, "application/json")) return DebugFormat::Json;
    if (has(accept, "text/html")) return DebugFormat::Html;
    return DebugFormat::Text;
}

const char* debug_content_type(DebugFormat f) {
    switch (f) {
    case DebugFormat::Json:
    case DebugFormat::Live: return "application/json";
    case DebugFormat::Html: return "text/html; charset=utf-8";
    default: return "text/plain; charset=utf-8";
    }
}

std::string render_debug_page(const Registry& reg, const ServeContext& ctx, DebugFormat f, std::string_view query,
                              std::string_view debug_path) {
    switch (f) {
    case DebugFormat::Json: return render_debug_json(take_debug_snapshot(reg, ctx));
    case DebugFormat::Live: {
        SnapshotOptions o{SnapshotOptions::Order::Busiest, kLiveRows, kLiveCharts};
        o.range = has(query, "range=10m") ? StatsHistory::Range::Coarse : StatsHistory::Range::Fine;
        return render_debug_live(take_debug_snapshot(reg, ctx, o));
    }
    case DebugFormat::Html:
        return render_dashboard(take_debug_snapshot(reg, ctx, {SnapshotOptions::Order::Busiest, kLiveRows}),
                                debug_path);
    default: return render_debug_text(take_debug_snapshot(reg, ctx, {SnapshotOptions::Order::Name, kTextRows}));
    }
}

} // namespace plugrpc
