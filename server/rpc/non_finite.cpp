#include "server/rpc/non_finite.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cmath>

namespace plugrpc {
namespace json = boost::json;

namespace {

// The path to the first non-finite number in `v` ("F64", "Floats[2]",
// "Places[x].X"), appended to `path`; false when there is none.
bool find_non_finite(const json::value& v, std::string& path, double& found) {
    switch (v.kind()) {
    case json::kind::double_:
        if (std::isfinite(v.get_double())) return false;
        found = v.get_double();
        return true;
    case json::kind::array: {
        const auto& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            std::size_t mark = path.size();
            path += '[' + std::to_string(i) + ']';
            if (find_non_finite(a[i], path, found)) return true;
            path.resize(mark);
        }
        return false;
    }
    case json::kind::object:
        for (const auto& kv : v.get_object()) {
            std::size_t mark = path.size();
            if (!path.empty()) path += '.';
            path.append(kv.key().data(), kv.key().size());
            if (find_non_finite(kv.value(), path, found)) return true;
            path.resize(mark);
        }
        return false;
    default: return false;
    }
}

} // namespace

std::string non_finite_field(const json::value& v) {
    std::string path;
    double found = 0;
    if (!find_non_finite(v, path, found)) return {};
    const char* what = std::isnan(found) ? "NaN" : found > 0 ? "+Inf" : "-Inf";
    return (path.empty() ? std::string("params") : "field " + path) + ": " + what +
           " cannot reach this plugin: it reads standard JSON (plugin ABI 1.0 or 1.1; 1.2 reads NaN and infinities)";
}

} // namespace plugrpc
