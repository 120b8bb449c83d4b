#include "codec/gob_request_encoder.hpp"

#include "wire/gob/netrpc_headers.hpp"
#include "wire/gob/value_encoder.hpp"

#include <memory>

namespace plugrpc::gob {

void RequestEncoder::encode(std::string& out, std::string_view service_method, std::uint64_t seq,
                            const boost::json::value& args, const Schema& args_schema) {
    types_.end_call(); // schema addresses from an earlier call may be reused
    const Schema& header = request_header_schema();
    TypeId header_id = types_.id_for(header, header.name);
    types_.send(out, header);
    // Request{ServiceMethod, Seq}, zero fields left out.
    payload_.clear();
    put_int(payload_, header_id);
    std::uint64_t last = 0;
    auto field = [&](std::uint64_t n) {
        put_uint(payload_, n - last);
        last = n;
    };
    if (!service_method.empty()) field(1), put_string(payload_, service_method);
    if (seq != 0) field(2), put_uint(payload_, seq);
    payload_.push_back(0);
    append_message(out, payload_);

    TypeId body_id = types_.id_for(args_schema, top_level_name(args_schema));
    types_.send(out, args_schema);
    payload_.clear();
    encode_top_value(payload_, body_id, args_schema, &args);
    append_message(out, payload_);
    types_.end_call();
}

} // namespace plugrpc::gob
