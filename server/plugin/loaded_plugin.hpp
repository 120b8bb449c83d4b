// A plugin shared object that passed every check and registered its methods.
#pragma once

#include "server/plugin/plugin_process.hpp"
#include "server/registry/registry.hpp"

#include <boost/dll/shared_library.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace plugrpc {

// What identifies the file a plugin came from: a replaced file (new inode or
// mtime) is a new plugin.
struct FileIdentity {
    dev_t dev = 0;
    ino_t ino = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileIdentity&) const = default;
};

class LoadedPlugin {
public:
    LoadedPlugin() = default;
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;
    ~LoadedPlugin(); // runs the plugin's shutdown, then unmaps it

    std::string name;         // from the plugin's entry block
    std::string version;
    std::string description;
    std::filesystem::path file;
    FileIdentity identity;
    std::chrono::system_clock::time_point loaded_at;
    // The text form its handlers read (abi.h, "Values as text"): extended
    // from ABI 1.2 on and for services built into the program.
    TextForm text_form = TextForm::Extended;
    // Methods it registered; `plugin` is left empty here (the registry sets it).
    std::vector<Method> methods;
    // Set when the plugin runs isolated in a child process; its methods
    // then forward calls there (server/isolate/isolated_plugin.hpp).
    std::shared_ptr<PluginProcess> process;

private:
    friend struct PluginLoader;
    boost::dll::shared_library library_;
    // The private copy the library was mapped from, held open while it is
    // loaded so no other plugin can be opened under the same /proc path.
    int copy_fd_ = -1;
    void (*shutdown_)(void*) = nullptr;
    void* state_ = nullptr;
};

struct LoadResult {
    std::shared_ptr<LoadedPlugin> plugin; // null on failure
    std::string error;                    // the exact reason, without the file name
};

// Frees a plugin whose last reference is dropped. The last reference may
// go on any thread, including one the plugin made (answering a call after
// a reload dropped it): unloading there would unmap the code that thread
// runs. The daemon's unloader moves the work to a thread of its own; an
// empty one frees at once (tools and tests without threads).
using Unloader = std::function<void(LoadedPlugin*)>;

// Load, check and initialise one plugin file. `plugin_configs` holds the
// [plugin.<name>] tables of the config, keyed by plugin name.
LoadResult load_plugin(const std::filesystem::path& file, const boost::json::object& plugin_configs,
                       const Unloader& unloader = {});

// The same for one plugin given its own config, whatever its name.
LoadResult load_plugin_with(const std::filesystem::path& file, const boost::json::object& config);

// Services compiled into the program itself (Server::add): `init` registers
// them as a plugin's init would, through the same host table; `shutdown`
// (may be null) gets the state it set when the last call into them is done.
using EmbeddedInit = std::function<int(const plrpc_host_v1* host, plrpc_registrar* reg, char* err, std::size_t cap)>;
LoadResult embed_plugin(std::string name, const EmbeddedInit& init, void (*shutdown)(void*));

// A sealed in-memory copy of a plugin file, as load_plugin maps it: its
// descriptor (close-on-exec), or -1 with the reason in `error`.
int sealed_copy(const std::filesystem::path& file, FileIdentity& id, std::string& error);

// Every regular "*.so" file of a folder, sorted by name.
std::vector<std::filesystem::path> list_plugin_files(const std::filesystem::path& dir, std::string& error);

} // namespace plugrpc
