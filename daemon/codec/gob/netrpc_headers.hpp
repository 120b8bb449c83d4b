// The header types of Go's net/rpc over gob, as schemas: what each side
// encodes before a call's body (Request) or a reply's body (Response), and
// the body of an error reply (struct{}{}). Shared by the daemon and the
// client library.
#pragma once

#include "schema/schema.hpp"

#include <string>

namespace plugrpc::gob {

const Schema& request_header_schema();  // Request{ServiceMethod string; Seq uint64}
const Schema& response_header_schema(); // Response{ServiceMethod string; Seq uint64; Error string}
const Schema& empty_struct_schema();    // struct{}

// The name Go gives a top-level type: its own for a struct; none for a
// slice, map or array.
inline std::string top_level_name(const Schema& s) { return s.kind == Kind::Struct ? s.name : std::string(); }

} // namespace plugrpc::gob
