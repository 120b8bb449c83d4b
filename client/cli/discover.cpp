#include "discover.hpp"

#include "wire/schema.hpp"

#include <algorithm>

namespace plugrpc::cli {

namespace json = boost::json;

namespace {

const json::value* at(const json::value& v, std::string_view key) {
    const json::object* o = v.if_object();
    return o ? o->if_contains(key) : nullptr;
}

std::string text_at(const json::value& v, std::string_view key) {
    const json::value* s = at(v, key);
    return s && s->is_string() ? std::string(s->get_string()) : std::string();
}

} // namespace

std::vector<MethodInfo> methods_of(const json::value& openrpc) {
    std::vector<MethodInfo> out;
    const json::value* methods = at(openrpc, "methods");
    if (!methods || !methods->is_array()) return out;
    for (const json::value& m : methods->get_array()) {
        MethodInfo info;
        info.name = text_at(m, "name");
        if (info.name.empty() || info.name == "rpc.discover") continue;
        info.description = text_at(m, "description");
        if (const json::value* arg = at(m, "x-argument")) {
            info.args = *arg;
        } else if (const json::value* params = at(m, "params"); params && params->is_array() &&
                                                                 params->get_array().size() == 1) {
            if (const json::value* s = at(params->get_array()[0], "schema")) info.args = *s;
        }
        if (const json::value* result = at(m, "result"))
            if (const json::value* s = at(*result, "schema")) info.reply = *s;
        out.push_back(std::move(info));
    }
    std::sort(out.begin(), out.end(), [](const MethodInfo& a, const MethodInfo& b) { return a.name < b.name; });
    return out;
}

std::string type_name_of(const json::value& schema) {
    SchemaResult r = parse_schema(schema);
    return r.schema ? type_name(*r.schema) : std::string("?");
}

client::Result<std::vector<MethodInfo>> discover(const Invocation& inv) {
    client::Options o;
    o.protocol = inv.protocol == client::Protocol::Http ? client::Protocol::Http : client::Protocol::Json;
    o.rpc_path = inv.path;
    o.connect_timeout = inv.timeout;
    o.call_timeout = inv.timeout;
    auto c = client::Client::connect(inv.address, o);
    if (!c) return c.error();
    auto doc = c->call_json("rpc.discover", nullptr);
    if (!doc) return doc.error();
    return methods_of(*doc);
}

} // namespace plugrpc::cli
