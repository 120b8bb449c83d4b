// The client-to-server half of a Go net/rpc gob connection, as Go's
// rpc.Client writes it (the mirror of wire/gob/encoder.hpp):
//
//     [def Request] Request{ServiceMethod, Seq}  [defs of Args]  Args
//
// Types are described once per connection, before first use; use one
// encoder per connection and send its output in the order encode() ran.
#pragma once

#include "wire/gob/sent_types.hpp"
#include "wire/schema.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace plugrpc::gob {

class RequestEncoder {
public:
    // Appends the messages of one call to `out`. `args` should match
    // `args_schema` (normalize() it first); where it does not, zero values
    // are sent.
    void encode(std::string& out, std::string_view service_method, std::uint64_t seq, const boost::json::value& args,
                const Schema& args_schema);

private:
    SentTypes types_;
    std::string payload_;
};

} // namespace plugrpc::gob
