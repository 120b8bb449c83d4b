// Fuzz target: plugrpcd's config parser (TOML text -> Config), from a
// string as --check-config and reload read it.
//
// Checks, besides the sanitizers: a refused config names the source and
// why; an accepted one keeps the promises main() relies on (HTTP paths
// start with '/' and differ, limits within their documented ranges).
#include "daemon/config/config.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace plugrpc;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "config_fuzz: %s: %s\n", what, detail.c_str());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    ConfigResult r = parse_config(text, "fuzz.toml");
    if (!r.config) {
        if (r.error.rfind("fuzz.toml", 0) != 0) fail("an error that does not name the source", r.error);
        return 0;
    }
    if (!r.error.empty()) fail("an accepted config with an error", r.error);
    const Config& c = *r.config;
    if (c.rpc_path.empty() || c.rpc_path[0] != '/' || c.debug_path.empty() || c.debug_path[0] != '/')
        fail("an HTTP path not starting with '/'", c.rpc_path + " " + c.debug_path);
    if (c.rpc_path == c.debug_path) fail("rpc_path equal to debug_path", c.rpc_path);
    const Limits& l = c.limits;
    if (l.max_message_bytes < 64 || l.max_json_depth < 2 || l.max_batch < 1 || l.max_connections < 1 ||
        l.max_inflight_per_connection < 1 || l.max_inflight < 1)
        fail("a limit below its minimum", "");
    if (l.idle_timeout.count() < 0 || l.header_timeout.count() < 0 || c.drain_timeout.count() < 0)
        fail("a negative duration", "");
    for (const auto& a : c.listen)
        if (a.text.empty()) fail("a listen address without its text", "");
    return 0;
}
