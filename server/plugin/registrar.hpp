// What `plrpc_registrar*` points at while a plugin's init runs.
#pragma once

#include "server/plugin/loaded_plugin.hpp"

#include <string>
#include <unordered_set>

struct plrpc_registrar {
    plugrpc::LoadedPlugin* plugin = nullptr;
    std::string error;     // first refused registration
    void* state = nullptr; // set_plugin_state
    // The full names registered so far: a name given twice is refused
    // without a walk of every method before it (plugins with thousands).
    std::unordered_set<std::string> names;
};
