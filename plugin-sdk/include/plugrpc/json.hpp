// plugrpc SDK: C++ types <-> JSON values and JSON schemas, by reflection.
//
// schema_of<T>()          the JSON schema the host expects for T
// to_json(const T&)       T as a boost::json::value
// from_json(v, T&, why)   fill T from a value; false with a reason if it does not fit
//
// Described structs (BOOST_DESCRIBE_STRUCT) map to JSON objects with their
// fields in declaration order; std::vector<std::uint8_t> maps to base64 text,
// as Go's []byte does in encoding/json. boost::json::value is any JSON value,
// passed as it is (Go's json.RawMessage; schema {}): a method taking one
// gets JSON-RPC 2.0 params as sent, array or object. Strings are bytes, and
// doubles any double: the text that carries them is json_write.hpp's.
#pragma once

#include <plugrpc/base64.hpp>
#include <plugrpc/json_parse.hpp>
#include <plugrpc/json_parse_extended.hpp>
#include <plugrpc/json_read.hpp>

#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace plugrpc {

// The unqualified name of a type, from the compiler: "Args" for ns::Args.
template <class T>
std::string type_name() {
    std::string_view f = __PRETTY_FUNCTION__;
    auto start = f.find("T = ");
    if (start == std::string_view::npos) return "T";
    f = f.substr(start + 4);
    auto end = f.find_first_of(";]");
    f = f.substr(0, end);
    // Drop the namespaces of the type itself, not those inside its template
    // arguments: ns::Pair<std::string> is "Pair<std::string>".
    auto colon = f.substr(0, f.find('<')).rfind("::");
    if (colon != std::string_view::npos) f = f.substr(colon + 2);
    return std::string(f);
}

namespace detail {

template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T> struct is_array : std::false_type {};
template <class T, std::size_t N> struct is_array<std::array<T, N>> : std::true_type {};
template <class T> struct is_map : std::false_type {};
template <class K, class V, class C, class A> struct is_map<std::map<K, V, C, A>> : std::true_type {};
template <class K, class V, class H, class E, class A>
struct is_map<std::unordered_map<K, V, H, E, A>> : std::true_type {};

template <class T>
constexpr bool is_bytes = std::is_same_v<T, std::vector<std::uint8_t>>;

template <class T>
constexpr bool is_described = boost::describe::has_describe_members<T>::value;

} // namespace detail

// ---- schemas ----------------------------------------------------------------

template <class T>
boost::json::value schema_of() {
    using boost::json::object;
    if constexpr (std::is_same_v<T, boost::json::value>) {
        return object{}; // any value
    } else if constexpr (std::is_same_v<T, bool>) {
        return object{{"type", "boolean"}};
    } else if constexpr (std::is_integral_v<T>) {
        std::string f = (std::is_signed_v<T> ? "int" : "uint") + std::to_string(sizeof(T) * 8);
        return object{{"type", "integer"}, {"format", f}};
    } else if constexpr (std::is_floating_point_v<T>) {
        return object{{"type", "number"}, {"format", sizeof(T) == 4 ? "float" : "double"}};
    } else if constexpr (std::is_same_v<T, std::string>) {
        return object{{"type", "string"}};
    } else if constexpr (detail::is_bytes<T>) {
        return object{{"type", "string"}, {"format", "byte"}};
    } else if constexpr (detail::is_vector<T>::value) {
        return object{{"type", "array"}, {"items", schema_of<typename T::value_type>()}};
    } else if constexpr (detail::is_array<T>::value) {
        constexpr std::size_t n = std::tuple_size_v<T>;
        return object{{"type", "array"},
                      {"items", schema_of<typename T::value_type>()},
                      {"minItems", n},
                      {"maxItems", n}};
    } else if constexpr (detail::is_map<T>::value) {
        using K = typename T::key_type;
        static_assert(std::is_same_v<K, std::string> || std::is_integral_v<K>,
                      "map keys must be strings or integers");
        object o{{"type", "object"}, {"additionalProperties", schema_of<typename T::mapped_type>()}};
        if constexpr (std::is_integral_v<K>) o["x-key"] = schema_of<K>();
        return o;
    } else {
        static_assert(detail::is_described<T>, "describe this struct with BOOST_DESCRIBE_STRUCT");
        object props;
        boost::mp11::mp_for_each<
            boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto D) {
            using M = std::remove_cvref_t<decltype(std::declval<T&>().*D.pointer)>;
            props[D.name] = schema_of<M>();
        });
        return object{{"type", "object"}, {"title", type_name<T>()}, {"properties", std::move(props)}};
    }
}

// ---- values -----------------------------------------------------------------

// `sp`: where the value's memory comes from (a stack arena, say).
template <class T>
boost::json::value to_json(const T& v, boost::json::storage_ptr sp = {}) {
    if constexpr (std::is_same_v<T, boost::json::value>) {
        return boost::json::value(v, sp);
    } else if constexpr (std::is_same_v<T, bool> || std::is_arithmetic_v<T>) {
        return boost::json::value(v, sp);
    } else if constexpr (std::is_same_v<T, std::string>) {
        return boost::json::value(boost::json::string_view(v), sp);
    } else if constexpr (detail::is_bytes<T>) {
        return boost::json::value(base64_encode(std::string_view(reinterpret_cast<const char*>(v.data()), v.size())),
                                  sp);
    } else if constexpr (detail::is_vector<T>::value || detail::is_array<T>::value) {
        boost::json::array a(sp);
        a.reserve(v.size());
        for (const auto& e : v) a.push_back(to_json(e, sp));
        return a;
    } else if constexpr (detail::is_map<T>::value) {
        boost::json::object o(sp);
        for (const auto& [k, e] : v) {
            if constexpr (std::is_integral_v<typename T::key_type>) o[std::to_string(k)] = to_json(e, sp);
            else o[k] = to_json(e, sp);
        }
        return o;
    } else {
        boost::json::object o(sp);
        boost::mp11::mp_for_each<
            boost::describe::describe_members<T, boost::describe::mod_public>>(
            [&](auto D) { o[D.name] = to_json(v.*D.pointer, sp); });
        return o;
    }
}

template <class T>
bool from_json(const boost::json::value& j, T& out, std::string& why) {
    if constexpr (std::is_same_v<T, boost::json::value>) {
        out = j; // copied into out's own storage
        return true;
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!j.is_bool()) return why = "expected a boolean", false;
        out = j.get_bool();
        return true;
    } else if constexpr (std::is_integral_v<T> || std::is_floating_point_v<T>) {
        boost::system::error_code ec;
        if (j.is_null()) return out = T{}, true;
        out = j.to_number<T>(ec);
        if (ec) return why = "expected a number that fits " + type_name<T>(), false;
        return true;
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (j.is_null()) return out.clear(), true;
        if (!j.is_string()) return why = "expected a string", false;
        out = std::string(j.get_string());
        return true;
    } else if constexpr (detail::is_bytes<T>) {
        if (j.is_null()) return out.clear(), true;
        std::string raw;
        if (!j.is_string() || !base64_decode(j.get_string(), raw)) return why = "expected base64 text", false;
        out.assign(raw.begin(), raw.end());
        return true;
    } else if constexpr (detail::is_vector<T>::value || detail::is_array<T>::value) {
        if (j.is_null()) return out = T{}, true;
        if (!j.is_array()) return why = "expected an array", false;
        const auto& a = j.get_array();
        if constexpr (detail::is_vector<T>::value) out.resize(a.size());
        else if (a.size() > out.size()) return why = "too many elements", false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!from_json(a[i], out[i], why)) return why = "[" + std::to_string(i) + "]: " + why, false;
        return true;
    } else if constexpr (detail::is_map<T>::value) {
        out.clear();
        if (j.is_null()) return true;
        if (!j.is_object()) return why = "expected an object", false;
        for (const auto& kv : j.get_object()) {
            typename T::key_type k{};
            if constexpr (std::is_integral_v<typename T::key_type>) {
                std::string_view s = kv.key();
                auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), k);
                if (ec != std::errc() || p != s.data() + s.size())
                    return why = "map key \"" + std::string(s) + "\" is not an integer", false;
            } else {
                k = std::string(kv.key());
            }
            if (!from_json(kv.value(), out[k], why)) return why = "[" + std::string(kv.key()) + "]: " + why, false;
        }
        return true;
    } else {
        if (j.is_null()) return true;
        if (!j.is_object()) return why = "expected an object", false;
        const auto& o = j.get_object();
        bool ok = true;
        boost::mp11::mp_for_each<
            boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto D) {
            if (!ok) return;
            if (auto* f = o.if_contains(D.name))
                if (!from_json(*f, out.*D.pointer, why)) ok = false, why = std::string(D.name) + ": " + why;
        });
        return ok;
    }
}

template <class T>
bool json_parse_into(std::string_view text, T& out, std::string& why) {
    if (json_read(text, out)) return true; // the common shapes, with no value built
    boost::system::error_code ec;
    unsigned char buf[4096];
    boost::json::monotonic_resource mr(buf, sizeof buf);
    boost::json::value v = parse_json(text, ec, &mr);
    if (ec) {
        // NaN, infinities, bytes that are not UTF-8: the host's extended
        // form (abi.h, "Values as text"), read the slow way.
        std::string extended_why;
        v = parse_extended_json(text, extended_why, &mr);
        if (!extended_why.empty()) return why = "not JSON: " + ec.message(), false;
    }
    return from_json(v, out, why);
}

} // namespace plugrpc
