// The server-to-client half of a Go net/rpc gob connection.
//
// Per reply, Go's server writes a header value Response{ServiceMethod, Seq,
// Error} and then exactly one body value: the method's reply, or the empty
// struct `struct{}{}` when Error is set. Types are described once per
// connection before first use (Response first, then the reply types), each
// definition a message of its own:
//
//     [def Response] Response  [defs of Reply]  Reply
//
// The encoder keeps which types it has described; use one per connection
// and keep the replies in the order encode() was called.
#pragma once

#include "wire/gob/sent_types.hpp"
#include "wire/schema.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <vector>
#include <string>
#include <string_view>

namespace plugrpc::gob {

class ResponseEncoder {
public:
    // Appends the messages of one reply to `out`. With a non-empty `error`
    // (or no reply schema) the body is struct{}{} and `reply` is ignored.
    // `reply` should match `reply_schema`; where it does not, zero values
    // are sent (see value_encoder.hpp). A null `reply` is the zero value.
    void encode(std::string& out, std::string_view service_method, std::uint64_t seq, std::string_view error,
                const boost::json::value* reply, const Schema* reply_schema);
    // The same, remembering the reply type's id for the next replies of
    // that schema (which the encoder then keeps alive): the fast path.
    void encode_cached(std::string& out, std::string_view service_method, std::uint64_t seq, std::string_view error,
                const boost::json::value* reply, const std::shared_ptr<const Schema>& reply_schema);

private:
    void encode(std::string& out, std::string_view service_method, std::uint64_t seq, std::string_view error,
                const boost::json::value* reply, const Schema* reply_schema,
                const std::shared_ptr<const Schema>* owner);
    // The wire id of a top-level type, its definitions appended to `out`
    // the first time.
    TypeId top_level_type(std::string& out, const Schema& s, const std::shared_ptr<const Schema>* owner);

    struct Known {
        std::shared_ptr<const Schema> schema;
        TypeId id;
    };
    SentTypes types_;
    std::string payload_;
    TypeId header_id_ = 0;
    TypeId empty_id_ = 0;
    std::vector<Known> known_; // reply types already described, most recent schemas

};

} // namespace plugrpc::gob
