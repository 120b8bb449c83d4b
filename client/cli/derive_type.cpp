#include "derive_type.hpp"

#include <boost/json/serialize.hpp>

#include <memory>

namespace plugrpc::cli {

namespace json = boost::json;

namespace {

class Deriver {
public:
    SchemaPtr derive(const json::value& v, const std::string& name, const std::string& where, unsigned depth) {
        if (depth > kMaxSchemaDepth) return fail(where, "nested too deep");
        auto s = std::make_shared<Schema>();
        switch (v.kind()) {
        case json::kind::null: return fail(where, "null says nothing of its type");
        case json::kind::bool_: s->kind = Kind::Bool; return s;
        case json::kind::int64: s->kind = Kind::Int; return s;
        case json::kind::uint64: s->kind = Kind::Uint; return s;
        case json::kind::double_: s->kind = Kind::Float; return s;
        case json::kind::string: s->kind = Kind::String; return s;
        case json::kind::array: {
            const json::array& a = v.get_array();
            if (a.empty()) return fail(where, "an empty array says nothing of its element type");
            std::string first;
            for (std::size_t i = 0; i < a.size(); ++i) {
                SchemaPtr e = derive(a[i], name, where + "[" + std::to_string(i) + "]", depth + 1);
                if (!e) return nullptr;
                std::string shape = json::serialize(schema_to_json(*e));
                if (i == 0) s->elem = std::move(e), first = std::move(shape);
                else if (shape != first)
                    return fail(where + "[" + std::to_string(i) + "]",
                                type_name(*e) + " where the first element is " + type_name(*s->elem) +
                                    ": an array's elements must have one type");
            }
            s->kind = Kind::Slice;
            return s;
        }
        case json::kind::object:
            s->kind = Kind::Struct;
            s->name = name;
            for (const auto& kv : v.get_object()) {
                std::string field(kv.key());
                SchemaPtr t = derive(kv.value(), field, where.empty() ? field : where + "." + field, depth + 1);
                if (!t) return nullptr;
                s->fields.emplace_back(std::move(field), std::move(t));
            }
            return s;
        }
        return fail(where, "unknown JSON value");
    }

    std::string error;

private:
    SchemaPtr fail(const std::string& where, const std::string& why) {
        if (error.empty()) error = (where.empty() ? "the argument" : "at " + where) + ": " + why;
        return nullptr;
    }
};

} // namespace

SchemaResult derive_type(const json::value& v) {
    Deriver d;
    SchemaPtr s = d.derive(v, "Args", "", 0);
    if (!s) return {nullptr, d.error + " (give the argument's type with --arg-type)"};
    return {std::move(s), {}};
}

} // namespace plugrpc::cli
