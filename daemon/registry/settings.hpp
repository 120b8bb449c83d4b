// [registry]: where plugrpcd registers the services it serves (etcd), and
// under which address. Read by daemon/config, used by registration.hpp.
#pragma once

#include <plugrpc/server_options.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace plugrpc {

struct RegistrySettings {
    std::vector<std::string> etcd;            // endpoints, "http://HOST:PORT"; empty: no registration
    std::string prefix = "/plugrpc/services"; // keys are <prefix>/<Service>/<HOST:PORT>
    std::chrono::seconds ttl{10};             // the lease's; refreshed every ttl/3
    std::string advertise;                    // "tcp://HOST:PORT" clients dial; empty: the first tcp listener

    bool enabled() const { return !etcd.empty(); }
    bool operator==(const RegistrySettings&) const = default;
};

// The address to advertise ("HOST:PORT") when `settings.advertise` is empty:
// the first tcp:// listener of `listen`. Empty with `why` naming the key
// when there is none or it is a wildcard (0.0.0.0, ::) that clients cannot dial.
// A listener on port 0 gives "HOST:0": the daemon puts the bound port in.
std::string default_advertise(const std::vector<ListenAddress>& listen, std::string& why);
// "tcp://HOST:PORT" or "HOST:PORT" -> "HOST:PORT" (v6 as "[::1]:PORT"); empty with `why`.
std::string parse_advertise(const std::string& text, std::string& why);

} // namespace plugrpc
