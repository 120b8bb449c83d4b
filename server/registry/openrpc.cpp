#include "server/registry/openrpc.hpp"

#include "server/plugin/loaded_plugin.hpp"

namespace plugrpc {
namespace json = boost::json;

namespace {

// A struct argument's fields are the method's named (or positional)
// params, as JSON-RPC 2.0 callers send them; any other argument is one
// param called "args".
json::array params_of(const Schema& args) {
    json::array params;
    if (args.kind == Kind::Struct) {
        for (const auto& f : args.fields)
            params.push_back(json::object{{"name", f.name}, {"required", false}, {"schema", schema_to_json(*f.type)}});
    } else {
        params.push_back(json::object{{"name", "args"}, {"required", true}, {"schema", schema_to_json(args)}});
    }
    return params;
}

} // namespace

json::value openrpc_document(const Registry& reg, const std::function<bool(std::string_view)>& shown) {
    json::array methods;
    // Full names are unique in a registry, and none is rpc.discover (the
    // registry refuses reserved services); were one to slip in, the
    // daemon's own rpc.discover, listed last, is the one served.
    for (const auto& [sname, svc] : reg.services())
        for (const auto& [mname, m] : svc.methods) {
            if (m->full_name == kDiscoverMethod) continue;
            if (shown && !shown(m->full_name)) continue;
            json::object method{
                {"name", m->full_name},
                {"summary", mname + "(" + type_name(*m->args) + ") " + type_name(*m->reply)},
                {"description", "From plugin " + svc.plugin->name + " " + svc.plugin->version + " (" +
                                    svc.plugin->file.filename().string() + ")"},
                {"paramStructure", m->args->kind == Kind::Struct ? "either" : "by-position"},
                {"params", params_of(*m->args)},
                {"result", json::object{{"name", "reply"}, {"schema", schema_to_json(*m->reply)}}},
            };
            if (m->args->kind == Kind::Struct) method["x-argument"] = schema_to_json(*m->args);
            methods.push_back(std::move(method));
        }
    methods.push_back(json::object{
        {"name", kDiscoverMethod},
        {"summary", "This document"},
        {"params", json::array()},
        {"result", json::object{{"name", "OpenRPC Schema"},
                                {"schema", json::object{{"$ref", "https://github.com/open-rpc/meta-schema/raw/master/schema.json"}}}}},
    });
    return json::object{
        {"openrpc", "1.2.6"},
        {"info", json::object{{"title", "plugrpcd"}, {"version", PLUGRPC_VERSION}}},
        {"methods", std::move(methods)},
    };
}

} // namespace plugrpc
