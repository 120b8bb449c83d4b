#include "pretty_json.hpp"

#include <boost/json/serialize.hpp>

namespace plugrpc::cli {

namespace json = boost::json;

std::string pretty_json(const json::value& v, int indent) {
    std::string pad(static_cast<std::size_t>(indent + 2), ' '), close(static_cast<std::size_t>(indent), ' ');
    if (const json::object* o = v.if_object(); o && !o->empty()) {
        std::string out = "{\n";
        bool first = true;
        for (const auto& kv : *o) {
            if (!first) out += ",\n";
            first = false;
            out += pad + json::serialize(json::string_view(kv.key())) + ": " + pretty_json(kv.value(), indent + 2);
        }
        return out + "\n" + close + "}";
    }
    if (const json::array* a = v.if_array(); a && !a->empty()) {
        std::string out = "[\n";
        for (std::size_t i = 0; i < a->size(); ++i)
            out += (i ? ",\n" : "") + pad + pretty_json((*a)[i], indent + 2);
        return out + "\n" + close + "]";
    }
    return json::serialize(v);
}

} // namespace plugrpc::cli
