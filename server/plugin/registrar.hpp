// What `plrpc_registrar*` points at while a plugin's init runs.
#pragma once

#include "server/plugin/loaded_plugin.hpp"

#include <string>

struct plrpc_registrar {
    plugrpc::LoadedPlugin* plugin = nullptr;
    std::string error;     // first refused registration
    void* state = nullptr; // set_plugin_state
};
