// The services every fuzz target serves: Arith as Go's example has it, and
// echo methods whose argument and reply types use every kind of value a
// schema can describe. Handlers are plain C functions through the host
// table, as a plugin written in C would be; nothing is loaded from disk.
#pragma once

#include "server/plugin/loaded_plugin.hpp"
#include "server/registry/registry.hpp"
#include "server/rpc/dispatcher.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace plugrpc::fuzz {

inline constexpr const char* kArgs =
    R"({"type":"object","title":"Args","properties":{"A":{"type":"integer","format":"int64"},"B":{"type":"integer","format":"int64"}}})";
inline constexpr const char* kQuotient =
    R"({"type":"object","title":"Quotient","properties":{"Quo":{"type":"integer","format":"int64"},"Rem":{"type":"integer","format":"int64"}}})";
inline constexpr const char* kInt = R"({"type":"integer","format":"int64"})";
inline constexpr const char* kString = R"({"type":"string"})";
inline constexpr const char* kBytes = R"({"type":"string","format":"byte"})";
inline constexpr const char* kFloats = R"({"type":"array","items":{"type":"number","format":"double"}})";

#define PLUGRPC_FUZZ_POINT                                                                                    \
    R"({"type":"object","title":"Point","properties":{"X":{"type":"integer","format":"int32"},)"            \
    R"("Y":{"type":"integer","format":"int32"},"Label":{"type":"string"}}})"

// Go's kitchen-sink struct (tests/plugins/kitchen): every scalar width,
// slices, fixed arrays, maps with string and integer keys, nested structs.
inline constexpr const char* kEverything =
    R"({"type":"object","title":"Everything","properties":{)"
    R"("Flag":{"type":"boolean"},)"
    R"("I8":{"type":"integer","format":"int8"},"I16":{"type":"integer","format":"int16"},)"
    R"("I32":{"type":"integer","format":"int32"},"I64":{"type":"integer","format":"int64"},)"
    R"("U8":{"type":"integer","format":"uint8"},"U16":{"type":"integer","format":"uint16"},)"
    R"("U32":{"type":"integer","format":"uint32"},"U64":{"type":"integer","format":"uint64"},)"
    R"("F32":{"type":"number","format":"float"},"F64":{"type":"number","format":"double"},)"
    R"("Text":{"type":"string"},"Bytes":{"type":"string","format":"byte"},)"
    R"("Ints":{"type":"array","items":{"type":"integer","format":"int64"}},)"
    R"("Uints":{"type":"array","items":{"type":"integer","format":"uint64"}},)"
    R"("Strings":{"type":"array","items":{"type":"string"}},)"
    R"("Floats32":{"type":"array","items":{"type":"number","format":"float"}},)"
    R"("Triple":{"type":"array","items":{"type":"integer","format":"int32"},"minItems":3,"maxItems":3},)"
    R"("Quad":{"type":"array","items":{"type":"integer","format":"uint8"},"minItems":4,"maxItems":4},)"
    R"("Counts":{"type":"object","additionalProperties":{"type":"integer","format":"int64"}},)"
    R"("Names":{"type":"object","additionalProperties":{"type":"string"},"x-key":{"type":"integer","format":"int64"}},)"
    R"("Flags":{"type":"object","additionalProperties":{"type":"boolean"},"x-key":{"type":"integer","format":"uint8"}},)"
    R"("Groups":{"type":"object","additionalProperties":{"type":"array","items":{"type":"string"}}},)"
    R"("Matrix":{"type":"array","items":{"type":"array","items":{"type":"integer","format":"int32"}}},)"
    R"("Origin":)" PLUGRPC_FUZZ_POINT R"(,)"
    R"("Path":{"type":"array","items":)" PLUGRPC_FUZZ_POINT R"(},)"
    R"("Places":{"type":"object","additionalProperties":)" PLUGRPC_FUZZ_POINT R"(}}})";

#undef PLUGRPC_FUZZ_POINT

inline int multiply(void*, plrpc_call* call, const char*, size_t) {
    const plrpc_host_v1* h = host_table();
    int64_t a = 0, b = 0;
    if (h->arg_int(call, "A", &a) != PLRPC_OK || h->arg_int(call, "B", &b) != PLRPC_OK) return PLRPC_ERROR;
    // Go's int wraps on overflow.
    h->set_int(call, nullptr, static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)));
    return h->reply_fields(call);
}

inline int divide(void*, plrpc_call* call, const char*, size_t) {
    const plrpc_host_v1* h = host_table();
    int64_t a = 0, b = 0;
    h->arg_int(call, "A", &a);
    h->arg_int(call, "B", &b);
    if (b == 0) {
        const char* msg = "divide by zero";
        return h->reply_error(call, msg, std::strlen(msg));
    }
    if (b == -1) { // Go: MinInt64 / -1 = MinInt64 rem 0
        h->set_int(call, "Quo", static_cast<int64_t>(0 - static_cast<uint64_t>(a)));
        h->set_int(call, "Rem", 0);
        return h->reply_fields(call);
    }
    h->set_int(call, "Quo", a / b);
    h->set_int(call, "Rem", a % b);
    return h->reply_fields(call);
}

inline int echo(void*, plrpc_call* call, const char* args, size_t len) {
    return host_table()->reply_json(call, args, len);
}

inline Method method(const std::string& service, const std::string& name, const char* args, const char* reply,
                     plrpc_handler_fn handler) {
    Method m;
    m.service = service;
    m.name = name;
    m.full_name = service + "." + name;
    m.args_schema_text = args;
    m.reply_schema_text = reply;
    auto a = parse_schema(m.args_schema_text);
    auto r = parse_schema(m.reply_schema_text);
    if (!a.schema || !r.schema) std::abort(); // a mistake in this file
    m.args = a.schema;
    m.reply = r.schema;
    m.handler = handler;
    return m;
}

// The registry of the fuzz services.
inline RegistryPtr fuzz_registry() {
    auto plugin = std::make_shared<LoadedPlugin>();
    plugin->name = "fuzz";
    plugin->file = "/fuzz/fuzz.so";
    plugin->methods.push_back(method("Arith", "Multiply", kArgs, kInt, multiply));
    plugin->methods.push_back(method("Arith", "Divide", kArgs, kQuotient, divide));
    plugin->methods.push_back(method("Kitchen", "Echo", kEverything, kEverything, echo));
    plugin->methods.push_back(method("Echo", "Int", kInt, kInt, echo));
    plugin->methods.push_back(method("Echo", "String", kString, kString, echo));
    plugin->methods.push_back(method("Echo", "Bytes", kBytes, kBytes, echo));
    plugin->methods.push_back(method("Echo", "Floats", kFloats, kFloats, echo));
    auto registry = std::make_shared<Registry>();
    std::string error;
    if (!registry->add_plugin(plugin, error)) std::abort();
    return registry;
}

} // namespace plugrpc::fuzz
