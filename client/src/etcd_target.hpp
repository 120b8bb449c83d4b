// "etcd://HOST:PORT[,HOST:PORT...]/prefix/Service": where to find the
// daemons that serve a service, as plugrpcd registers them ([registry]):
// every key under <prefix>/<Service>/ names one daemon.
#pragma once

#include "wire/etcd/gateway.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace plugrpc::client {

struct EtcdTarget {
    std::vector<etcd::Endpoint> endpoints;
    std::string prefix; // "/plugrpc/services/Arith/": the keys to read, with the trailing '/'
};

inline bool is_etcd_target(std::string_view text) { return text.starts_with("etcd://"); }

// False with `why` when `text` is not an etcd:// target.
bool parse_etcd_target(std::string_view text, EtcdTarget& out, std::string& why);

// The daemon's address from a registered value ({"address":"tcp://HOST:PORT",...}),
// else from the key's last segment; empty when neither names one.
std::string registered_address(std::string_view key, std::string_view value);

} // namespace plugrpc::client
