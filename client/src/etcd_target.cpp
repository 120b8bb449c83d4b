#include "etcd_target.hpp"

#include <boost/json/parse.hpp>

namespace plugrpc::client {

bool parse_etcd_target(std::string_view text, EtcdTarget& out, std::string& why) {
    out = EtcdTarget{};
    const std::string usage = " (etcd://HOST:PORT/prefix/Service, e.g. etcd://127.0.0.1:2379/plugrpc/services/Arith)";
    if (!is_etcd_target(text)) return why = "not an etcd:// target" + usage, false;
    std::string_view rest = text.substr(7);
    std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash + 1 >= rest.size())
        return why = std::string(text) + ": no key prefix" + usage, false;
    std::string_view hosts = rest.substr(0, slash), prefix = rest.substr(slash);
    while (!hosts.empty()) {
        std::size_t comma = hosts.find(',');
        etcd::Endpoint e;
        if (!etcd::parse_endpoint(hosts.substr(0, comma), e, why)) return why = std::string(text) + ": " + why, false;
        out.endpoints.push_back(std::move(e));
        hosts = comma == std::string_view::npos ? std::string_view{} : hosts.substr(comma + 1);
    }
    if (out.endpoints.empty()) return why = std::string(text) + ": no etcd endpoint" + usage, false;
    while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
    if (prefix.size() <= 1) return why = std::string(text) + ": no key prefix" + usage, false;
    out.prefix = std::string(prefix) + "/";
    return true;
}

std::string registered_address(std::string_view key, std::string_view value) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(value, ec);
    if (!ec && v.is_object())
        if (const auto* a = v.as_object().if_contains("address"); a && a->is_string() && !a->as_string().empty())
            return std::string(a->as_string());
    std::size_t slash = key.rfind('/');
    std::string_view last = slash == std::string_view::npos ? key : key.substr(slash + 1);
    if (last.find(':') == std::string_view::npos) return {};
    return std::string(last);
}

} // namespace plugrpc::client
