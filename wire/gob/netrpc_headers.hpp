// The header types of Go's net/rpc over gob, as schemas: what each side
// encodes before a call's body (Request) or a reply's body (Response), and
// the body of an error reply (struct{}{}). Shared by the daemon and the
// client library.
#pragma once

#include "wire/gob/types.hpp"
#include "wire/schema.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace plugrpc::gob {

const Schema& request_header_schema();  // Request{ServiceMethod string; Seq uint64}
const Schema& response_header_schema(); // Response{ServiceMethod string; Seq uint64; Error string}
const Schema& empty_struct_schema();    // struct{}

// A Request value (`message`: the payload after its type id `id`) read
// with no value built, as Go's client sends it: the type exactly as Go
// defines it (ServiceMethod string, then Seq uint), both fields present,
// the name in ASCII, the closing zero, nothing after it. True with `method`
// (a view into `message`) and `seq` set; false leaves the value to the
// general decoder (decode_top_value), which also gives the errors.
bool read_plain_request_header(const TypeTable& types, TypeId id, std::string_view message, std::string_view& method,
                               std::uint64_t& seq);

// Append a header value of type `id` to `payload`: Request{ServiceMethod,
// Seq} or, with `error`, Response{ServiceMethod, Seq, Error}; zero fields
// left out, as Go's encoder leaves them.
void append_header_value(std::string& payload, TypeId id, std::string_view service_method, std::uint64_t seq,
                         std::string_view error = {});

// The name Go gives a top-level type: its own for a struct; none for a
// slice, map or array.
inline std::string top_level_name(const Schema& s) { return s.kind == Kind::Struct ? s.name : std::string(); }

} // namespace plugrpc::gob
