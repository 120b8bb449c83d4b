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
    payload_.clear();
    append_header_value(payload_, header_id, service_method, seq);
    append_message(out, payload_);

    TypeId body_id = types_.id_for(args_schema, top_level_name(args_schema));
    types_.send(out, args_schema);
    payload_.clear();
    encode_top_value(payload_, body_id, args_schema, &args);
    append_message(out, payload_);
    types_.end_call();
}

} // namespace plugrpc::gob
