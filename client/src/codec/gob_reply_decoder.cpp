#include "codec/gob_reply_decoder.hpp"

#include "wire/gob/netrpc_headers.hpp"
#include "wire/gob/received_schema.hpp"
#include "wire/gob/value_decoder.hpp"

namespace plugrpc::gob {

ReplyDecoder::Step ReplyDecoder::next() {
    return step([this](std::int64_t id, const std::vector<MessageStream::Span>& spans) {
        ValueInput in(stream_.views(spans));
        Walk replay{stream_.types(), in, false};
        boost::json::value header;
        try {
            header = decode_top_value(replay, as_type_id(id), response_header_schema());
        } catch (const Error& e) {
            throw StreamError(std::string("rpc: client cannot decode response: ") + e.what());
        }
        service_method_ = std::string(header.at("ServiceMethod").as_string());
        seq_ = header.at("Seq").as_uint64();
        error_ = std::string(header.at("Error").as_string());
    });
}

ReplyDecoder::BodyResult ReplyDecoder::body_as(const Schema& reply) {
    BodyResult result;
    result.error = read_body([&](Walk& replay, TypeId id) { result.value = decode_top_value(replay, id, reply); },
                             "gob: no reply body to decode");
    return result;
}

} // namespace plugrpc::gob

namespace plugrpc::gob {

ReplyDecoder::BodyResult ReplyDecoder::body_as_received() {
    BodyResult result;
    result.error = read_body(
        [&](Walk& replay, TypeId id) {
            SchemaResult type = received_schema(replay.types, id);
            if (!type.schema) throw Error("the reply cannot be shown as JSON: " + type.error);
            result.value = decode_top_value(replay, id, *type.schema);
        },
        "gob: no reply body to decode");
    return result;
}

} // namespace plugrpc::gob
