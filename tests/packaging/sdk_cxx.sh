#!/usr/bin/env bash
# A plugin author outside this tree builds a C++ plugin with nothing but the
# installed SDK — find_package(plugrpc) and plugrpc_add_plugin() — installs
# it into the folder a running daemon watches, and the daemon serves it
# without a restart or a signal.
#
# usage: sdk_cxx.sh BUILD_DIR
#   BUILD_DIR  the built plugrpc tree, installed here into a temporary prefix
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
setup_test
build=$1
prefix=$TMP/prefix
# The CMake package and plugrpc.pc live in the libdir the tree was configured
# with: lib, or lib/<multiarch> under /usr.
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
[ -n "$libdir" ] || fail "no CMAKE_INSTALL_LIBDIR in $build/CMakeCache.txt"

echo "cmake --install into $prefix"
timeout 120 cmake --install "$build" --prefix "$prefix" >"$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log" >&2; fail "cmake --install failed"; }
for path in etc/plugrpcd/plugrpcd.toml sbin/plugrpcd lib/plugrpcd/plugins/arith.so \
    include/plugrpc/abi.h include/plugrpc/plugin.hpp "$libdir/cmake/plugrpc/plugrpcConfig.cmake" \
    "$libdir/pkgconfig/plugrpc.pc" lib/systemd/system/plugrpcd.service share/man/man8/plugrpcd.8.gz; do
    [ -f "$prefix/$path" ] || fail "the install lacks $path"
done
# Installed outside /usr, the config and the unit name the prefix's paths.
grep -qF "\"$prefix/lib/plugrpcd/plugins\"" "$prefix/etc/plugrpcd/plugrpcd.toml" ||
    fail "the installed config does not name $prefix/lib/plugrpcd/plugins"
grep -qxF "ExecStart=$prefix/sbin/plugrpcd --config $prefix/etc/plugrpcd/plugrpcd.toml" \
    "$prefix/lib/systemd/system/plugrpcd.service" || fail "the installed unit does not run $prefix/sbin/plugrpcd"

echo "write the Greeter plugin"
mkdir "$TMP/greeter"
cat >"$TMP/greeter/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(greeter VERSION 1.0.0 LANGUAGES CXX)
find_package(plugrpc 0.1 REQUIRED)
message(STATUS "plugrpc ${plugrpc_VERSION} from ${plugrpc_DIR}")
plugrpc_add_plugin(greeter SOURCES greeter.cpp)
target_compile_options(greeter PRIVATE -Wall -Wextra -Werror)
install(TARGETS greeter LIBRARY DESTINATION ${PLUGRPC_PLUGIN_INSTALL_DIR})
CMAKE
cat >"$TMP/greeter/greeter.cpp" <<'CPP'
// Greeter: a service built outside the plugrpc tree.
#include <plugrpc/plugin.hpp>

#include <string>

struct Person {
    std::string Name;
};
BOOST_DESCRIBE_STRUCT(Person, (), (Name))

struct Greeter {
    plugrpc::Status Hello(const Person& who, std::string& reply) {
        if (who.Name.empty()) return plugrpc::Error("whom should I greet?");
        reply = "Hello, " + who.Name + "!";
        return {};
    }
};
BOOST_DESCRIBE_STRUCT(Greeter, (), (Hello))

PLUGRPC_PLUGIN("greeter", "1.0.0", "Says hello") {
    plugin.add<Greeter>();
}
CPP

site_plugins=$TMP/site/lib/plugrpcd/plugins
mkdir -p "$site_plugins"
echo "start the installed daemon, watching the empty $site_plugins"
start_daemon "$TMP/daemon.log" "$prefix/sbin/plugrpcd" --config "$prefix/etc/plugrpcd/plugrpcd.toml" \
    --plugin-dir "$site_plugins" --plugin-dir "$prefix/lib/plugrpcd/plugins"
expect_rpc Arith.Multiply '{"A":7,"B":8}' '{"jsonrpc":"2.0","result":56,"id":1}'
[ "$(rpc Greeter.Hello '{"Name":"plugrpc"}')" != '{"jsonrpc":"2.0","result":"Hello, plugrpc!","id":1}' ] ||
    fail "Greeter.Hello answered before the plugin was built"

echo "build it against the installed SDK"
# No package registry, no source tree: only what CMAKE_PREFIX_PATH names.
timeout 120 cmake -S "$TMP/greeter" -B "$TMP/greeter/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_INSTALL_PREFIX="$TMP/site" >"$TMP/configure.log" 2>&1 ||
    { cat "$TMP/configure.log" >&2; fail "configuring the Greeter plugin failed"; }
grep -qF "from $prefix/$libdir/cmake/plugrpc" "$TMP/configure.log" ||
    { cat "$TMP/configure.log" >&2; fail "find_package(plugrpc) did not find the installed SDK"; }
timeout 600 cmake --build "$TMP/greeter/build" >"$TMP/build.log" 2>&1 ||
    { cat "$TMP/build.log" >&2; fail "building the Greeter plugin failed"; }

echo "cmake --install it into the watched folder"
timeout 60 cmake --install "$TMP/greeter/build" >/dev/null || fail "installing the Greeter plugin failed"
[ -f "$site_plugins/greeter.so" ] || fail "the Greeter plugin was not installed as $site_plugins/greeter.so"
dropped=$(date +%s%N)
expect_rpc Greeter.Hello '{"Name":"plugrpc"}' '{"jsonrpc":"2.0","result":"Hello, plugrpc!","id":1}'
echo "served $(( ($(date +%s%N) - dropped) / 1000000 )) ms after the drop-in"
expect_rpc Greeter.Hello '{"Name":""}' \
    '{"jsonrpc":"2.0","error":{"code":-32000,"message":"whom should I greet?"},"id":1}'
expect_rpc Arith.Multiply '{"A":6,"B":7}' '{"jsonrpc":"2.0","result":42,"id":1}'
stop_daemon
echo "ok"
