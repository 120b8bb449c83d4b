#include "wire/gob/decoder.hpp"

#include "wire/gob/netrpc_headers.hpp"
#include "wire/gob/plain_body.hpp"
#include "wire/gob/value_decoder.hpp"

#include <boost/json/monotonic_resource.hpp>

namespace plugrpc::gob {

RequestDecoder::Step RequestDecoder::next() {
    return step([this](std::int64_t id, const std::vector<MessageStream::Span>& spans) { read_header(id, spans); });
}

void RequestDecoder::read_header(std::int64_t id, const std::vector<MessageStream::Span>& spans) {
    // The usual header is read without building a value.
    std::string_view method;
    if (spans.size() == 1 &&
        read_plain_request_header(stream_.types(), as_type_id(id), stream_.views(spans)[0], method, seq_)) {
        service_method_.assign(method);
        return;
    }
    ValueInput in(stream_.views(spans));
    Walk replay{stream_.types(), in, false};
    // The header is read into stack memory: only two fields are kept.
    unsigned char block[512];
    boost::json::monotonic_resource arena(block, sizeof block);
    try {
        // Initialised, not assigned: a value assigned across storages is copied.
        boost::json::value header =
            decode_top_value(replay, as_type_id(id), request_header_schema(), plans_, &arena);
        service_method_ = std::string(header.at("ServiceMethod").as_string());
        seq_ = header.at("Seq").as_uint64();
    } catch (const Error& e) {
        throw StreamError(std::string("rpc: server cannot decode request: ") + e.what());
    }
}

RequestDecoder::BodyResult RequestDecoder::body_as(const Schema& args) {
    BodyResult result;
    result.error = read_body([&](Walk& replay, TypeId id) { result.value = decode_top_value(replay, id, args); },
                             "gob: no request body to decode");
    return result;
}

std::string RequestDecoder::body_into(const SchemaPtr& args, boost::json::value& out) {
    plans_.keep(args);
    return read_body([&](Walk& replay, TypeId id) { out = decode_top_value(replay, id, *args, plans_, out.storage()); },
                     "gob: no request body to decode");
}

bool RequestDecoder::plain_body_text(const SchemaPtr& args, std::string& text) {
    std::size_t size = text.size();
    bool took = try_body([&](Walk& replay, TypeId id) { return write_plain_struct(replay, id, *args, plans_, text); });
    if (!took) text.resize(size);
    return took;
}

} // namespace plugrpc::gob
