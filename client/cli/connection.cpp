#include "connection.hpp"

#include <cstdio>

namespace plugrpc::cli {

client::Options client_options(const Invocation& inv, client::Protocol protocol) {
    client::Options o;
    o.protocol = protocol;
    o.rpc_path = inv.path;
    o.connect_timeout = inv.timeout;
    o.call_timeout = inv.timeout;
    if (inv.verbose)
        o.trace = [](std::string_view text) {
            // rpc.discover's document is tens of kilobytes: show its start.
            constexpr std::size_t kShown = 4096;
            std::size_t more = text.size() > kShown ? text.size() - kShown : 0;
            std::fprintf(stderr, "%.*s", static_cast<int>(text.size() - more), text.data());
            if (more) std::fprintf(stderr, "\n... (%zu bytes more)", more);
            std::fprintf(stderr, "\n");
            std::fflush(stderr);
        };
    return o;
}

client::Result<Connection> connect_and_discover(const Invocation& inv) {
    auto c = client::Client::connect(inv.address, client_options(inv, inv.protocol));
    if (!c) return c.error();
    auto d = discover(*c, inv.protocol);
    if (!d) {
        client::Error e = d.error();
        // Go's rpc.HandleHTTP answers a POST "405 must CONNECT".
        if (inv.protocol == client::Protocol::Http && e.message.starts_with("HTTP 405"))
            e.message += " (a Go net/rpc server over HTTP takes only CONNECT: use --proto gob-http)";
        return e;
    }
    if (inv.protocol == client::Protocol::Json && !d->methods && d->refusal.code == 0) {
        auto go = client::Client::connect(inv.address, client_options(inv, client::Protocol::JsonGo));
        if (!go) return go.error();
        return Connection{std::move(*go), client::Protocol::JsonGo, std::move(*d)};
    }
    return Connection{std::move(*c), inv.protocol, std::move(*d)};
}

} // namespace plugrpc::cli
