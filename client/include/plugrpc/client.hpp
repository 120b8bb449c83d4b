// The plugrpc C++ client library (CMake: find_package(plugrpc) and link
// plugrpc::client). See plugrpc/client/client.hpp.
#pragma once

#include <plugrpc/client/client.hpp>
#include <plugrpc/client/error.hpp>
#include <plugrpc/client/options.hpp>
