// plugrpc call: one method, the result as JSON on stdout.
#include "commands.hpp"
#include "connection.hpp"
#include "derive_type.hpp"
#include "go_type.hpp"
#include "pretty_json.hpp"

#include "wire/number_literals.hpp"
#include "wire/schema.hpp"

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

const MethodInfo* find_method(const Discovery& d, const std::string& name) {
    if (!d.methods) return nullptr;
    for (const MethodInfo& m : *d.methods)
        if (m.name == name) return &m;
    return nullptr;
}

// JSON-RPC 2.0's words before a server's text ("Method not found: rpc:
// can't find method X"): what gob and Go's jsonrpc give without them.
std::string without_code_prefix(const client::Error& e) {
    const char* prefix = e.code == -32601 ? "Method not found: "
                         : e.code == -32602 ? "Invalid params: "
                         : e.code == -32603 ? "Internal error: "
                                            : "";
    std::string_view text = e.message;
    if (*prefix && text.starts_with(prefix)) text.remove_prefix(std::char_traits<char>::length(prefix));
    return std::string(text);
}

// The server refused the argument itself: JSON-RPC 2.0's invalid params,
// or Go's decoder, whose texts Go's servers (and plugrpcd over gob and in
// Go's jsonrpc dialect) send as they are.
bool is_invalid_params(const client::Error& e) {
    std::string_view t = e.message;
    return e.code == -32602 || (e.code == 0 && (t.starts_with("gob: ") || t.starts_with("json: ") ||
                                                t.starts_with("jsonrpc: request body missing params")));
}

} // namespace

int report(const client::Error& e) {
    switch (e.kind) {
    case client::ErrorKind::Server:
        std::fprintf(stderr, "%s\n", without_code_prefix(e).c_str());
        return is_invalid_params(e) ? kExitUsage : kExitServerError;
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
    client::CallTypes types;
    if (inv.arg_type) {
        SchemaResult given = parse_go_type(*inv.arg_type);
        if (!given.schema) return call_usage_error("--arg-type " + *inv.arg_type + ": " + given.error);
        types.args = given.schema;
    }

    auto conn = connect_and_discover(inv);
    if (!conn) return report(conn.error());
    bool gob = conn->protocol == client::Protocol::Gob || conn->protocol == client::Protocol::GobHttp;
    if (const MethodInfo* m = find_method(conn->discovery, inv.method)) {
        // The server's own types: params that do not fit are refused here,
        // in one text for every protocol, before anything is sent.
        auto args = client::compile_schema(m->args);
        if (!args) return report(args.error());
        auto reply = client::compile_schema(m->reply);
        if (!reply) return report(reply.error());
        types.reply = *reply;
        if (!types.args) {
            types.args = *args;
            NumberLiterals literals(*text, &params); // 1e2 is 100, -0.0 is 0: judged on the text
            NormalizeOptions opt;
            opt.literals = &literals;
            NormalizeResult checked = normalize(params, **args, opt);
            if (!checked.ok()) return call_usage_error("invalid params for " + inv.method + ": " + checked.error);
            params = std::move(checked.value);
        }
    } else if (gob && !types.args) {
        SchemaResult derived = derive_type(params);
        if (derived.schema) types.args = derived.schema;
        else if (conn->discovery.methods) types.args = derive_type(json::object()).schema; // unknown there: any will do
        else return call_usage_error("the gob type of the argument of " + inv.method + ": " + derived.error);
    }
    if (conn->client.is_shut_down() && conn->discovery.methods) {
        // plugrpcd closed the connection after answering rpc.discover (a
        // graceful stop closes connections between calls): nothing of the
        // call has been sent, so it goes on a new connection, where it is
        // served or plainly refused. Once sent, a call is never sent again:
        // a close after it may follow a crash that ran it.
        auto again = connect_and_discover(inv);
        if (!again) return report(again.error());
        conn = std::move(again);
    }
    auto result = conn->client.call_json(inv.method, std::move(params), gob ? &types : nullptr);
    if (!result) return report(result.error());
    std::printf("%s\n", compact_json(*result).c_str());
    return kExitOk;
}

} // namespace plugrpc::cli
