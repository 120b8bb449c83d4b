// Loading a plugin file: map it, check its entry block before running any of
// its code, run its init, and keep what it registered.
#include "plugin/loaded_plugin.hpp"
#include "plugin/registrar.hpp"
#include "rpc/dispatcher.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstring>
#include <sys/stat.h>

namespace plugrpc {

LoadedPlugin::~LoadedPlugin() {
    if (shutdown_) shutdown_(state_);
    methods.clear(); // drop pointers into the library before it is unmapped
}

struct PluginLoader {
    static LoadResult load(const std::filesystem::path& file, const boost::json::object& configs);
};

namespace {

std::string bounded_string(const char* s) {
    if (!s) return {};
    return std::string(s, strnlen(s, 256));
}

FileIdentity identity_of(const std::filesystem::path& file) {
    struct stat st{};
    FileIdentity id;
    if (::stat(file.c_str(), &st) == 0) {
        id.dev = st.st_dev;
        id.ino = st.st_ino;
        id.mtime_ns = std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    }
    return id;
}

} // namespace

LoadResult PluginLoader::load(const std::filesystem::path& file, const boost::json::object& configs) {
    LoadResult r;
    auto p = std::make_shared<LoadedPlugin>();
    p->file = file;
    p->identity = identity_of(file);
    p->loaded_at = std::chrono::system_clock::now();

    try {
        p->library_.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        // Boost.DLL says "...load() failed (dlerror system message: <file>: <why>): <errno text>".
        std::string why = e.what();
        const std::string marker = "dlerror system message: ";
        if (auto at = why.find(marker); at != std::string::npos) {
            why = why.substr(at + marker.size());
            why = why.substr(0, why.rfind("): "));
            if (why.rfind(file.string() + ": ", 0) == 0) why = why.substr(file.string().size() + 2);
        }
        r.error = "not a loadable shared object: " + why;
        return r;
    }
    if (!p->library_.has(PLRPC_ENTRY_SYMBOL)) {
        r.error = "no entry symbol " PLRPC_ENTRY_SYMBOL " (not a plugrpc plugin, or built for another ABI)";
        return r;
    }
    const auto& entry = p->library_.get<const plrpc_plugin_v1>(PLRPC_ENTRY_SYMBOL);
    if (entry.magic != PLRPC_MAGIC) {
        r.error = "entry block has a bad magic number (not a plugrpc plugin)";
        return r;
    }
    if (entry.abi_major != PLRPC_ABI_MAJOR) {
        r.error = "plugin ABI " + std::to_string(entry.abi_major) + "." + std::to_string(entry.abi_minor) +
                  " is not compatible with the host's ABI " + std::to_string(PLRPC_ABI_MAJOR) + "." +
                  std::to_string(PLRPC_ABI_MINOR);
        return r;
    }
    if (entry.struct_size < offsetof(plrpc_plugin_v1, shutdown) + sizeof(entry.shutdown)) {
        r.error = "entry block is smaller than ABI 1 requires";
        return r;
    }
    if (!entry.init) {
        r.error = "entry block has no init function";
        return r;
    }
    p->name = bounded_string(entry.name);
    p->version = bounded_string(entry.version);
    p->description = bounded_string(entry.description);
    if (p->name.empty()) {
        r.error = "entry block has no plugin name";
        return r;
    }

    std::string config = "{}";
    if (auto it = configs.find(p->name); it != configs.end()) config = boost::json::serialize(it->value());

    plrpc_registrar reg;
    reg.plugin = p.get();
    char err[512] = {0};
    int rc = entry.init(host_table(), &reg, config.data(), config.size(), err, sizeof err);
    err[sizeof err - 1] = '\0';
    p->shutdown_ = entry.shutdown;
    p->state_ = reg.state;
    if (rc != PLRPC_OK) {
        r.error = std::string("init failed: ") + (err[0] ? err : "no reason given");
        if (!reg.error.empty()) r.error += " (" + reg.error + ")";
        return r; // the plugin's destructor runs its shutdown
    }
    if (!reg.error.empty()) {
        r.error = "refused a registration: " + reg.error;
        return r;
    }
    if (p->methods.empty()) {
        r.error = "registered no methods";
        return r;
    }
    r.plugin = std::move(p);
    return r;
}

LoadResult load_plugin(const std::filesystem::path& file, const boost::json::object& configs) {
    return PluginLoader::load(file, configs);
}

std::vector<std::filesystem::path> list_plugin_files(const std::filesystem::path& dir, std::string& error) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
        error = ec.message();
        return files;
    }
    for (const auto& e : it) {
        std::error_code fec;
        if (e.path().extension() == ".so" && e.is_regular_file(fec)) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace plugrpc
