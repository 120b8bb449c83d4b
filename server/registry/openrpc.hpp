// Discovery: an OpenRPC 1.2 document describing every served method, built
// from the registry's schemas. Served as the method `rpc.discover` and at
// GET /openrpc.json.
#pragma once

#include "server/registry/registry.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <string_view>

namespace plugrpc {

inline constexpr std::string_view kDiscoverMethod = "rpc.discover";

// `shown`, when given, says which methods the asking peer may see (the
// access rules: a method it may not call is left out).
boost::json::value openrpc_document(const Registry& registry,
                                    const std::function<bool(std::string_view)>& shown = nullptr);

} // namespace plugrpc
