#include "daemon/service/service_sandbox.hpp"

#include <algorithm>

namespace plugrpc {

namespace {

// `path` is `tree` or lies under it, component by component: /homework is
// not under /home.
bool within(const std::filesystem::path& path, std::string_view tree) {
    std::filesystem::path base(tree);
    auto p = path.lexically_normal();
    auto [b, pi] = std::mismatch(base.begin(), base.end(), p.begin(), p.end());
    return b == base.end();
}

} // namespace

std::optional<std::string> hidden_from_service(const std::filesystem::path& path) {
    for (const auto& t : kHiddenTrees)
        if (within(path, t.path))
            return "under " + std::string(t.path) + ", which plugrpcd.service hides from the service (" +
                   std::string(t.directive) + ")";
    return std::nullopt;
}

std::optional<std::string> socket_blocked_for_service(const std::filesystem::path& path) {
    if (within(path.parent_path(), kServiceRuntimeDir)) return std::nullopt;
    return "the service can create sockets only under " + std::string(kServiceRuntimeDir) + " (" +
           std::string(kWritableDirectives) + ")";
}

} // namespace plugrpc
