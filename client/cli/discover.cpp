#include "discover.hpp"

#include "wire/schema.hpp"

#include <boost/json/parse.hpp>

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

std::string service_of(const std::string& method) {
    std::size_t dot = method.rfind('.');
    return dot == std::string::npos ? std::string() : method.substr(0, dot);
}

client::Result<Discovery> discover(client::Client& c, client::Protocol protocol) {
    bool gob = protocol == client::Protocol::Gob || protocol == client::Protocol::GobHttp;
    // Over gob: any argument (an empty struct), the reply as the server types it.
    static const client::Result<client::SchemaHandle> kNoArgument =
        client::compile_schema(json::parse(R"({"type":"object","title":"Empty","properties":{}})"));
    client::CallTypes types{gob ? *kNoArgument : nullptr, nullptr};
    auto doc = c.call_json("rpc.discover", gob ? json::value(json::object()) : json::value(), gob ? &types : nullptr);
    Discovery d;
    if (!doc) {
        if (doc.error().kind != client::ErrorKind::Server) return doc.error();
        d.refusal = doc.error();
        return d;
    }
    if (gob) {
        json::error_code ec;
        const json::string* text = doc->if_string();
        json::value parsed = text ? json::parse(*text, ec) : json::value();
        if (!text || ec)
            return client::Error{client::ErrorKind::Reply, "rpc.discover over gob: the reply is not OpenRPC JSON text", 0};
        d.methods = methods_of(parsed);
    } else {
        d.methods = methods_of(*doc);
    }
    return d;
}

} // namespace plugrpc::cli
