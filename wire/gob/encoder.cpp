#include "wire/gob/encoder.hpp"

#include "wire/gob/netrpc_headers.hpp"
#include "wire/gob/value_encoder.hpp"

#include <memory>

namespace plugrpc::gob {

void ResponseEncoder::encode(std::string& out, std::string_view service_method, std::uint64_t seq,
                             std::string_view error, const boost::json::value* reply, const Schema* reply_schema) {
    encode(out, service_method, seq, error, reply, reply_schema, nullptr);
}

void ResponseEncoder::encode_cached(std::string& out, std::string_view service_method, std::uint64_t seq,
                                    std::string_view error, const boost::json::value* reply,
                                    const std::shared_ptr<const Schema>& reply_schema) {
    encode(out, service_method, seq, error, reply, reply_schema.get(), &reply_schema);
}

TypeId ResponseEncoder::top_level_type(std::string& out, const Schema& s, const std::shared_ptr<const Schema>* owner) {
    // The two static schemas, and schemas held in known_, cannot be freed
    // and their address reused for another shape: their ids are remembered.
    TypeId* fixed = &s == &response_header_schema() ? &header_id_ : &s == &empty_struct_schema() ? &empty_id_ : nullptr;
    if (fixed && *fixed) return *fixed;
    if (owner)
        for (const Known& k : known_)
            if (k.schema.get() == &s) return k.id;
    TypeId id = types_.id_for(s, top_level_name(s));
    types_.send(out, s);
    if (fixed) *fixed = id;
    if (owner && id >= 65) {
        if (known_.size() >= 64) known_.clear();
        known_.push_back({*owner, id});
    }
    return id;
}

void ResponseEncoder::encode(std::string& out, std::string_view service_method, std::uint64_t seq,
                             std::string_view error, const boost::json::value* reply, const Schema* reply_schema,
                             const std::shared_ptr<const Schema>* owner) {
    types_.end_call(); // schema addresses from an earlier call may be reused
    TypeId header_id = top_level_type(out, response_header_schema(), nullptr);
    payload_.clear();
    append_header_value(payload_, header_id, service_method, seq, error);
    append_message(out, payload_);

    const Schema& body = error.empty() && reply_schema ? *reply_schema : empty_struct_schema();
    if (&body == &empty_struct_schema()) reply = nullptr, owner = nullptr;
    TypeId body_id = top_level_type(out, body, owner);
    payload_.clear();
    encode_top_value(payload_, body_id, body, reply);
    append_message(out, payload_);
    types_.end_call();
}

} // namespace plugrpc::gob
