// Discovery: an OpenRPC 1.2 document describing every served method, built
// from the registry's schemas. Served as the method `rpc.discover` and at
// GET /openrpc.json.
#pragma once

#include "server/registry/registry.hpp"

#include <boost/json/value.hpp>

namespace plugrpc {

inline constexpr std::string_view kDiscoverMethod = "rpc.discover";

boost::json::value openrpc_document(const Registry& registry);

} // namespace plugrpc
