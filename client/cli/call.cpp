// plugrpc call: one method, the result as JSON on stdout.
#include "commands.hpp"
#include "discover.hpp"

#include <plugrpc/json_parse.hpp>

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace plugrpc::cli {

namespace json = boost::json;

namespace {

int call_usage_error(const std::string& why) {
    std::fprintf(stderr, "plugrpc: %s\n", why.c_str());
    return kExitUsage;
}

// The params text: as given, or read from @FILE or @- (stdin).
std::optional<std::string> params_text(const std::optional<std::string>& data, std::string& why) {
    if (!data) return std::string();
    if (data->empty() || (*data)[0] != '@') return *data;
    std::string name = data->substr(1);
    if (name == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
    std::ifstream in(name, std::ios::binary);
    if (!in) return why = "cannot read " + name, std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The argument and reply types of a gob call, from rpc.discover.
client::Result<client::CallTypes> gob_types(const Invocation& inv) {
    Invocation ask = inv;
    ask.protocol = client::Protocol::Json;
    auto methods = discover(ask);
    if (!methods) return methods.error();
    for (const MethodInfo& m : *methods) {
        if (m.name != inv.method) continue;
        auto args = client::compile_schema(m.args);
        if (!args) return args.error();
        auto reply = client::compile_schema(m.reply);
        if (!reply) return reply.error();
        return client::CallTypes{*args, *reply};
    }
    return client::Error{client::ErrorKind::Server,
                         "rpc: can't find method " + inv.method + " (rpc.discover at " + inv.address +
                             " does not list it)",
                         0};
}

} // namespace

int report(const client::Error& e) {
    switch (e.kind) {
    case client::ErrorKind::Server: std::fprintf(stderr, "%s\n", e.message.c_str()); return kExitServerError;
    case client::ErrorKind::Usage: std::fprintf(stderr, "plugrpc: %s\n", e.message.c_str()); return kExitUsage;
    default: std::fprintf(stderr, "plugrpc: %s\n", e.message.c_str()); return kExitTransportError;
    }
}

int run_call(const Invocation& inv) {
    std::string why;
    std::optional<std::string> text = params_text(inv.data, why);
    if (!text) return call_usage_error(why);
    json::value params;
    if (text->find_first_not_of(" \t\r\n") != std::string::npos) {
        json::error_code ec;
        params = parse_json(*text, ec);
        if (ec) return call_usage_error("params are not JSON (" + ec.message() + "): " + text->substr(0, 200));
    }

    std::optional<client::CallTypes> types;
    bool gob = inv.protocol == client::Protocol::Gob || inv.protocol == client::Protocol::GobHttp;
    if (gob) {
        auto t = gob_types(inv);
        if (!t) return report(t.error());
        types = *t;
    }
    client::Options o;
    o.protocol = inv.protocol;
    o.rpc_path = inv.path;
    o.connect_timeout = inv.timeout;
    o.call_timeout = inv.timeout;
    auto c = client::Client::connect(inv.address, o);
    if (!c) return report(c.error());
    auto result = c->call_json(inv.method, std::move(params), types ? &*types : nullptr);
    if (!result) return report(result.error());
    std::printf("%s\n", json::serialize(*result).c_str());
    return kExitOk;
}

} // namespace plugrpc::cli
