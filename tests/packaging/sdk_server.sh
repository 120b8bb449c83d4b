#!/usr/bin/env bash
# A program outside this tree embeds the server with nothing but the
# installed package — find_package(plugrpc) and plugrpc::server — serving
# Arith as Go's net/rpc example does; Go's rpc.Dial, rpc.DialHTTP and
# jsonrpc.Dial clients get from it the transcript Go's own server gives.
#
# usage: sdk_server.sh SOURCE_DIR BUILD_DIR
#   SOURCE_DIR  the plugrpc tree: the programs are examples/, copied out
#   BUILD_DIR   the built plugrpc tree, installed here into a temporary prefix;
#               its Go interop programs (tests/interop/bin) compare the transcripts
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
setup_test
src=$1
build=$2
prefix=$TMP/prefix
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
[ -n "$libdir" ] || fail "no CMAKE_INSTALL_LIBDIR in $build/CMakeCache.txt"

echo "cmake --install into $prefix"
timeout 120 cmake --install "$build" --prefix "$prefix" >"$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log" >&2; fail "cmake --install failed"; }
for path in include/plugrpc/server.hpp include/plugrpc/server_options.hpp "$libdir/cmake/plugrpc/plugrpcTargets.cmake"; do
    [ -f "$prefix/$path" ] || fail "the install lacks $path"
done

echo "copy examples/ and the Arith service out of the tree"
cp -r "$src/examples" "$TMP/app"
cp "$src/plugins/arith/arith.hpp" "$TMP/app/"

echo "build it against the installed package"
timeout 120 cmake -S "$TMP/app" -B "$TMP/app/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DARITH_DIR="$TMP/app" \
    -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" >"$TMP/configure.log" 2>&1 ||
    { cat "$TMP/configure.log" >&2; fail "configuring the examples failed"; }
timeout 900 cmake --build "$TMP/app/build" >"$TMP/build.log" 2>&1 ||
    { cat "$TMP/build.log" >&2; fail "building the examples failed"; }
grep -q "$src" "$TMP/app/build/build.ninja" && fail "the out-of-tree build reads files of the source tree"

interop=$build/tests/interop/bin
[ -x "$interop/interop" ] || fail "no Go interop programs in $interop (is golang-go installed?)"
for transport in tcp http jsonrpc; do
    echo "Go's arithclient over $transport: arith-server against Go's own server"
    timeout 60 "$interop/interop" -server "$TMP/app/build/bin/arith-server" -bin "$interop" -timeout 50s arith "$transport" \
        >"$TMP/interop-$transport.log" 2>&1 || { cat "$TMP/interop-$transport.log" >&2; fail "transcripts differ over $transport"; }
    grep -E "agree on [0-9]+ lines" "$TMP/interop-$transport.log"
done
echo "the C++ arith-client against arith-server and against Go's server"
timeout 60 "$interop/interop" -server "$TMP/app/build/bin/arith-server" -cppclient "$TMP/app/build/bin/arith-client" \
    -bin "$interop" -timeout 50s cppclient http >"$TMP/interop-cpp.log" 2>&1 ||
    { cat "$TMP/interop-cpp.log" >&2; fail "arith-client's transcripts differ"; }
grep -E "agree on [0-9]+ lines" "$TMP/interop-cpp.log"
echo "ok"
