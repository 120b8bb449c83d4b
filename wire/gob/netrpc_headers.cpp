#include "wire/gob/netrpc_headers.hpp"

#include "wire/gob/wire.hpp"

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

bool read_plain_request_header(const TypeTable& types, TypeId id, std::string_view message, std::string_view& method,
                               std::uint64_t& seq) {
    const TypeRef* t = types.find(id);
    if (!t || t->kind != WireKind::Struct || t->fields().size() != 2 || t->fields()[0].name != "ServiceMethod" ||
        t->fields()[0].id != kString || t->fields()[1].name != "Seq" || t->fields()[1].id != kUint)
        return false;
    std::string_view name;
    std::uint64_t n = 0;
    try {
        Reader r(message);
        if (r.read_uint() != 1) return false; // field 0
        name = r.read_bytes(r.read_uint()); // bounded by the message: throws past its end
        if (r.read_uint() != 1) return false; // field 1
        n = r.read_uint();
        if (r.read_uint() != 0 || !r.empty()) return false;
    } catch (const Error&) {
        return false;
    }
    for (char c : name)
        if (static_cast<unsigned char>(c) >= 0x80) return false; // the general decoder repairs or keeps it
    method = name;
    seq = n;
    return true;
}

const Schema& empty_struct_schema() {
    static const Schema s = [] {
        Schema r;
        r.kind = Kind::Struct;
        return r;
    }();
    return s;
}

void append_header_value(std::string& payload, TypeId id, std::string_view service_method, std::uint64_t seq,
                         std::string_view error) {
    put_int(payload, id);
    std::uint64_t last = 0;
    auto field = [&](std::uint64_t n) {
        put_uint(payload, n - last);
        last = n;
    };
    if (!service_method.empty()) field(1), put_string(payload, service_method);
    if (seq != 0) field(2), put_uint(payload, seq);
    if (!error.empty()) field(3), put_string(payload, error);
    payload.push_back(0);
}

} // namespace plugrpc::gob
