#include "codec/gob/netrpc_headers.hpp"

#include <memory>

namespace plugrpc::gob {

namespace {

Schema header(const char* name, bool with_error) {
    Schema r;
    r.kind = Kind::Struct;
    r.name = name;
    auto str = std::make_shared<Schema>();
    str->kind = Kind::String;
    auto u64 = std::make_shared<Schema>();
    u64->kind = Kind::Uint;
    r.fields = {{"ServiceMethod", str}, {"Seq", u64}};
    if (with_error) r.fields.push_back({"Error", str});
    return r;
}

} // namespace

const Schema& request_header_schema() {
    static const Schema s = header("Request", false);
    return s;
}

const Schema& response_header_schema() {
    static const Schema s = header("Response", true);
    return s;
}

const Schema& empty_struct_schema() {
    static const Schema s = [] {
        Schema r;
        r.kind = Kind::Struct;
        return r;
    }();
    return s;
}

} // namespace plugrpc::gob
