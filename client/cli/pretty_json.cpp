#include "pretty_json.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>

namespace plugrpc::cli {

namespace json = boost::json;

namespace {

// The shortest text that reads back as the same double ("0.1", "1e+300");
// Boost.JSON's serializer writes "1E-1".
std::string number_text(double d) {
    if (!std::isfinite(d)) return json::serialize(json::value(d));
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    return ec == std::errc() ? std::string(buf, end) : json::serialize(json::value(d));
}

} // namespace

std::string compact_json(const json::value& v) {
    if (const json::object* o = v.if_object()) {
        std::string out = "{";
        for (const auto& kv : *o) {
            if (out.size() > 1) out += ',';
            out += json::serialize(json::string_view(kv.key())) + ":" + compact_json(kv.value());
        }
        return out + "}";
    }
    if (const json::array* a = v.if_array()) {
        std::string out = "[";
        for (std::size_t i = 0; i < a->size(); ++i) out += (i ? "," : "") + compact_json((*a)[i]);
        return out + "]";
    }
    if (v.is_double()) return number_text(v.get_double());
    return json::serialize(v);
}

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
    return compact_json(v);
}

} // namespace plugrpc::cli
