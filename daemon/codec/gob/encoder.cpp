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
    types_.end_call(); // schema addresses from an earlier call may be reused
    const Schema& header = response_schema();
    TypeId header_id = types_.id_for(header, header.name);
    types_.send(out, header);
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
    if (&body == &empty_struct_schema()) reply = nullptr;
    TypeId body_id = types_.id_for(body, top_level_name(body));
    types_.send(out, body);
    payload_.clear();
    encode_top_value(payload_, body_id, body, reply);
    append_message(out, payload_);
    types_.end_call();
}

} // namespace plugrpc::gob
