#include "codec/gob/encoder.hpp"

#include "codec/gob/value_encoder.hpp"

#include <memory>

namespace plugrpc::gob {

namespace {

// net/rpc's Response, as Go's server sends it.
const Schema& response_schema() {
    static const Schema s = [] {
        Schema r;
        r.kind = Kind::Struct;
        r.name = "Response";
        auto str = std::make_shared<Schema>();
        str->kind = Kind::String;
        auto u64 = std::make_shared<Schema>();
        u64->kind = Kind::Uint;
        r.fields = {{"ServiceMethod", str}, {"Seq", u64}, {"Error", str}};
        return r;
    }();
    return s;
}

// The body of an error reply: Go's invalidRequest, struct{}{}.
const Schema& empty_struct_schema() {
    static const Schema s = [] {
        Schema r;
        r.kind = Kind::Struct;
        return r;
    }();
    return s;
}

// The name Go gives a top-level type: its own name; "" for a slice, map or
// array, which have none.
std::string top_level_name(const Schema& s) { return s.kind == Kind::Struct ? s.name : std::string(); }

} // namespace

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
    TypeId* fixed = &s == &response_schema() ? &header_id_ : &s == &empty_struct_schema() ? &empty_id_ : nullptr;
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
    TypeId header_id = top_level_type(out, response_schema(), nullptr);
    // Response{ServiceMethod, Seq, Error}, zero fields left out.
    payload_.clear();
    put_int(payload_, header_id);
    std::uint64_t last = 0;
    auto field = [&](std::uint64_t n) {
        put_uint(payload_, n - last);
        last = n;
    };
    if (!service_method.empty()) field(1), put_string(payload_, service_method);
    if (seq != 0) field(2), put_uint(payload_, seq);
    if (!error.empty()) field(3), put_string(payload_, error);
    payload_.push_back(0);
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
