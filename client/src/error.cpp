// Error kinds by name, and schemas compiled for calls.
#include <plugrpc/client/client.hpp>

#include "wire/schema.hpp"

namespace plugrpc::client {

const char* kind_name(ErrorKind k) {
    switch (k) {
    case ErrorKind::Server: return "server";
    case ErrorKind::Transport: return "transport";
    case ErrorKind::Timeout: return "timeout";
    case ErrorKind::Shutdown: return "shutdown";
    case ErrorKind::Reply: return "reply";
    case ErrorKind::Usage: return "usage";
    }
    return "?";
}

Result<SchemaHandle> compile_schema(const boost::json::value& json_schema) {
    SchemaResult r = parse_schema(json_schema);
    if (!r.schema) return Error{ErrorKind::Usage, "not a type schema: " + r.error, 0};
    return SchemaHandle(std::move(r.schema));
}

} // namespace plugrpc::client
