// Loading a plugin file: map it, check its entry block before running any of
// its code, run its init, and keep what it registered.
#include "server/plugin/elf_check.hpp"
#include "server/plugin/loaded_plugin.hpp"
#include "server/plugin/registrar.hpp"
#include "server/rpc/dispatcher.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace plugrpc {

LoadedPlugin::~LoadedPlugin() {
    if (process) process->stop();
    if (shutdown_) shutdown_(state_);
    methods.clear(); // drop pointers into the library before it is unmapped
    library_.unload();
    if (copy_fd_ >= 0) ::close(copy_fd_);
}

struct PluginLoader {
    // `own` (may be null) is the plugin's config whatever its name; else it
    // is looked up in `configs` by name.
    static LoadResult load(const std::filesystem::path& file, const boost::json::object& configs,
                           const boost::json::object* own, const Unloader& unloader);
    static LoadResult embed(std::string name, const EmbeddedInit& init, void (*shutdown)(void*));
    // Run an init through a registrar for `p` and check what it registered.
    static bool run_init(LoadedPlugin& p, const EmbeddedInit& init, void (*shutdown)(void*), std::string& error);
};

namespace {

std::string bounded_string(const char* s) {
    if (!s) return {};
    return std::string(s, strnlen(s, 256));
}

// A sealed in-memory copy of a plugin file, for dlopen.
class PrivateCopy {
public:
    PrivateCopy() = default;
    explicit PrivateCopy(int fd) : fd_(fd) {}
    PrivateCopy(PrivateCopy&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    PrivateCopy& operator=(PrivateCopy&&) = delete;
    ~PrivateCopy() {
        if (fd_ >= 0) ::close(fd_);
    }
    bool ok() const { return fd_ >= 0; }
    int release() { return std::exchange(fd_, -1); }
    std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

private:
    int fd_ = -1;
};

constexpr std::uint64_t kMaxPluginBytes = 512ull << 20;

PrivateCopy private_copy(const std::filesystem::path& file, FileIdentity& id, std::string& error) {
    int in = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0 && errno == ELOOP) in = ::open(file.c_str(), O_RDONLY | O_CLOEXEC); // a symlink: follow it
    if (in < 0) {
        error = std::string("cannot open: ") + std::strerror(errno);
        return {};
    }
    struct stat st{};
    ::fstat(in, &st);
    id = {st.st_dev, st.st_ino, std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    std::string why;
    if (!S_ISREG(st.st_mode)) error = "not a regular file";
    else if (std::uint64_t(st.st_size) > kMaxPluginBytes) error = "larger than 512 MiB";
    else if (!elf_complete(in, why)) error = "not a loadable shared object: " + why;
    if (!error.empty()) {
        ::close(in);
        return {};
    }
    int out = ::memfd_create(("plugrpc:" + file.filename().string()).c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (out < 0) {
        error = std::string("memfd_create: ") + std::strerror(errno);
        ::close(in);
        return {};
    }
    PrivateCopy copy(out);
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = ::sendfile(out, in, &off, static_cast<std::size_t>(st.st_size - off));
        if (n <= 0) {
            error = std::string("cannot copy: ") + (n < 0 ? std::strerror(errno) : "file shrank while read");
            ::close(in);
            return {};
        }
    }
    ::close(in);
    ::fcntl(out, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    return copy;
}

} // namespace

LoadResult PluginLoader::load(const std::filesystem::path& file, const boost::json::object& configs,
                              const boost::json::object* own, const Unloader& unloader) {
    LoadResult r;
    std::shared_ptr<LoadedPlugin> p(new LoadedPlugin, [unloader](LoadedPlugin* dropped) {
        if (unloader) unloader(dropped);
        else delete dropped;
    });
    p->file = file;
    p->loaded_at = std::chrono::system_clock::now();

    // Map a private copy: a file overwritten in place later cannot pull
    // the code from under calls that run in it.
    PrivateCopy copy = private_copy(file, p->identity, r.error);
    if (!copy.ok()) return r;
    try {
        p->library_.load(copy.path(), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        // Boost.DLL says "...load() failed (dlerror system message: <file>: <why>): <errno text>".
        std::string why = e.what();
        const std::string marker = "dlerror system message: ";
        if (auto at = why.find(marker); at != std::string::npos) {
            why = why.substr(at + marker.size());
            why = why.substr(0, why.rfind("): "));
            if (why.rfind(copy.path() + ": ", 0) == 0) why = why.substr(copy.path().size() + 2);
        }
        r.error = "not a loadable shared object: " + why;
        return r;
    }
    // Mapped under its /proc path: the copy stays open until it is unmapped,
    // even when a check below fails, so that a load running meanwhile on
    // another thread cannot get the same descriptor number, and with it
    // this library back from dlopen.
    p->copy_fd_ = copy.release();
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
    p->text_form = entry.abi_minor >= 2 ? TextForm::Extended : TextForm::Standard;
    p->name = bounded_string(entry.name);
    p->version = bounded_string(entry.version);
    p->description = bounded_string(entry.description);
    if (p->name.empty()) {
        r.error = "entry block has no plugin name";
        return r;
    }

    std::string config = "{}";
    if (own) config = boost::json::serialize(*own);
    else if (auto it = configs.find(p->name); it != configs.end()) config = boost::json::serialize(it->value());

    auto init = [&entry, &config](const plrpc_host_v1* host, plrpc_registrar* reg, char* err, std::size_t cap) {
        return entry.init(host, reg, config.data(), config.size(), err, cap);
    };
    if (!run_init(*p, init, entry.shutdown, r.error)) return r; // the plugin's destructor runs its shutdown
    r.plugin = std::move(p);
    return r;
}

bool PluginLoader::run_init(LoadedPlugin& p, const EmbeddedInit& init, void (*shutdown)(void*), std::string& error) {
    plrpc_registrar reg;
    reg.plugin = &p;
    char err[512] = {0};
    int rc = init(host_table(), &reg, err, sizeof err);
    err[sizeof err - 1] = '\0';
    p.shutdown_ = shutdown;
    p.state_ = reg.state;
    if (rc != PLRPC_OK) {
        error = std::string("init failed: ") + (err[0] ? err : "no reason given");
        if (!reg.error.empty()) error += " (" + reg.error + ")";
        return false;
    }
    if (!reg.error.empty()) {
        error = "refused a registration: " + reg.error;
        return false;
    }
    if (p.methods.empty()) {
        error = "registered no methods";
        return false;
    }
    return true;
}

LoadResult PluginLoader::embed(std::string name, const EmbeddedInit& init, void (*shutdown)(void*)) {
    LoadResult r;
    auto p = std::make_shared<LoadedPlugin>();
    p->name = std::move(name);
    p->description = "built into this program";
    std::error_code ec;
    p->file = std::filesystem::read_symlink("/proc/self/exe", ec);
    p->loaded_at = std::chrono::system_clock::now();
    if (!run_init(*p, init, shutdown, r.error)) return r;
    r.plugin = std::move(p);
    return r;
}

LoadResult embed_plugin(std::string name, const EmbeddedInit& init, void (*shutdown)(void*)) {
    return PluginLoader::embed(std::move(name), init, shutdown);
}

LoadResult load_plugin(const std::filesystem::path& file, const boost::json::object& configs,
                       const Unloader& unloader) {
    return PluginLoader::load(file, configs, nullptr, unloader);
}

LoadResult load_plugin_with(const std::filesystem::path& file, const boost::json::object& config) {
    return PluginLoader::load(file, {}, &config, {});
}

int sealed_copy(const std::filesystem::path& file, FileIdentity& id, std::string& error) {
    PrivateCopy copy = private_copy(file, id, error);
    return copy.ok() ? copy.release() : -1;
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
