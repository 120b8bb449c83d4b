#!/usr/bin/env bash
# `cpack -G DEB` builds two Debian packages, each with its own files and
# nothing of the other's: plugrpcd (daemon, CLI, arith plugin, units, man
# pages, the config as a conffile) and plugrpc-dev (headers, static
# libraries, the CMake package and pkg-config file in the multiarch libdir),
# plus plugrpcd's debug symbols; the daemon unpacked from them serves Arith
# with the packaged config, and the SDK unpacked is found by CMake and
# pkg-config. deb_policy.sh then checks them against Debian's rules.
#
# usage: deb.sh SOURCE_DIR BUILD_DIR
#   BUILD_DIR  kept between runs (so a rerun builds only what changed),
#              configured with the deb preset (release, prefix /usr,
#              dpkg-buildflags); the packages are left in it:
#              plugrpcd_*.deb, plugrpc-dev_*.deb, plugrpcd-dbgsym_*.ddeb
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
setup_test
src=$1 build=$2
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

echo "configure and build $build (cmake --preset deb)"
timeout 300 cmake -S "$src" -B "$build" --preset deb >"$TMP/configure.log" 2>&1 ||
    { cat "$TMP/configure.log" >&2; fail "configure failed"; }
timeout 1500 cmake --build "$build" >"$TMP/build.log" 2>&1 ||
    { tail -n 50 "$TMP/build.log" >&2; fail "build failed"; }

echo "cpack -G DEB"
rm -f "$build"/*.deb "$build"/*.ddeb
(cd "$build" && timeout 300 cpack -G DEB) >"$TMP/cpack.log" 2>&1 ||
    { cat "$TMP/cpack.log" >&2; fail "cpack failed"; }
# One file each, and no third package (an install() without a component).
deb=$(one_file "$build" 'plugrpcd_*.deb')
dev=$(one_file "$build" 'plugrpc-dev_*.deb')
dbgsym=$(one_file "$build" 'plugrpcd-dbgsym_*.ddeb')
all=("$build"/*.deb)
[ ${#all[@]} -eq 2 ] || fail "expected two .deb files in $build, got: ${all[*]##*/}"
version=$(dpkg-deb -f "$deb" Version)
for file in "$deb" "$dev" "$dbgsym"; do
    package=$(dpkg-deb -f "$file" Package)
    want=${package}_${version}_$arch.$([ "$file" = "$dbgsym" ] && echo ddeb || echo deb)
    [ "$(basename "$file")" = "$want" ] || fail "$(basename "$file"): expected $want"
    echo "built $want, Installed-Size $(dpkg-deb -f "$file" Installed-Size) KiB"
done

# contents FILE: the paths of a package, one a line, as /path
contents() { dpkg-deb -c "$1" | awk '{ print $NF }' | sed 's|^\./|/|'; }
# expect_paths FILE ALLOWED PATH...: FILE holds every PATH and nothing ALLOWED does not match
expect_paths() {
    local list allowed=$2 stray
    list=$TMP/$(basename "$1").contents
    shift 2
    for path in "$@"; do
        grep -qxF "$path" "$list" || { cat "$list" >&2; fail "$(basename "$list" .contents) lacks $path"; }
    done
    stray=$(grep -Ev "$allowed" "$list" || true)
    [ -z "$stray" ] || fail "unexpected paths in $(basename "$list" .contents): $stray"
}
contents "$deb" >"$TMP/$(basename "$deb").contents"
contents "$dev" >"$TMP/$(basename "$dev").contents"

echo "plugrpcd: the daemon, the CLI, the plugin, units, man pages, docs"
dirs='^/(|etc/|lib/|lib/systemd/|usr/|usr/bin/|usr/sbin/|usr/lib/|usr/share/|usr/share/doc/|usr/share/man/|usr/share/man/man[158]/|usr/share/lintian/|usr/share/lintian/overrides/)$'
allowed="$dirs"'|^/(etc/plugrpcd|lib/systemd/system|usr/lib/plugrpcd|usr/lib/sysusers\.d|usr/share/doc/plugrpcd)/'
allowed+='|^/usr/sbin/plugrpcd$|^/usr/share/man/man[58]/plugrpcd|^/usr/share/lintian/overrides/plugrpcd$'
allowed+='|^/usr/bin/plugrpc$|^/usr/share/man/man1/plugrpc\.1\.gz$|^/usr/share/bash-completion/(completions/(plugrpc)?)?$'
expect_paths "$deb" "$allowed" /usr/sbin/plugrpcd /usr/lib/plugrpcd/plugrpc-plugin-host \
    /usr/lib/plugrpcd/plugins/arith.so /etc/plugrpcd/plugrpcd.toml \
    /lib/systemd/system/plugrpcd.service /lib/systemd/system/plugrpcd.socket /usr/lib/sysusers.d/plugrpcd.conf \
    /usr/share/man/man8/plugrpcd.8.gz /usr/share/man/man5/plugrpcd.toml.5.gz /usr/bin/plugrpc \
    /usr/share/man/man1/plugrpc.1.gz /usr/share/bash-completion/completions/plugrpc \
    /usr/share/doc/plugrpcd/copyright /usr/share/doc/plugrpcd/changelog.Debian.gz
grep -q 'slow\.so' "$TMP/$(basename "$deb").contents" && fail "a test plugin is in plugrpcd"

echo "plugrpc-dev: headers, static libraries, CMake and pkg-config files in /usr/lib/$multiarch"
libdir=/usr/lib/$multiarch
dirs='^/(|usr/|usr/include/|usr/lib/|usr/lib/'$multiarch'/|usr/lib/'$multiarch'/cmake/|usr/share/|usr/share/doc/|usr/share/lintian/|usr/share/lintian/overrides/)$'
allowed="$dirs"'|^/(usr/include/plugrpc|usr/lib/'$multiarch'/cmake/plugrpc|usr/share/doc/plugrpc-dev)/'
allowed+='|^/usr/lib/'$multiarch'/pkgconfig/(plugrpc\.pc)?$|^/usr/lib/'$multiarch'/libplugrpc_(client|wire|server)\.a$'
allowed+='|^/usr/share/lintian/overrides/plugrpc-dev$'
expect_paths "$dev" "$allowed" /usr/include/plugrpc/abi.h /usr/include/plugrpc/plugin.hpp \
    /usr/include/plugrpc/client.hpp /usr/include/plugrpc/client/client.hpp /usr/include/plugrpc/server.hpp \
    "$libdir/libplugrpc_client.a" "$libdir/libplugrpc_wire.a" "$libdir/libplugrpc_server.a" \
    "$libdir/cmake/plugrpc/plugrpcConfig.cmake" "$libdir/cmake/plugrpc/plugrpcConfigVersion.cmake" \
    "$libdir/cmake/plugrpc/plugrpcTargets.cmake" "$libdir/cmake/plugrpc/plugrpc-plugin.cmake" \
    "$libdir/pkgconfig/plugrpc.pc" /usr/share/doc/plugrpc-dev/copyright /usr/share/doc/plugrpc-dev/changelog.Debian.gz

echo "control"
field() { dpkg-deb -f "$1" "$2"; }
expect_field() {
    [ "$(field "$1" "$2")" = "$3" ] || fail "$(basename "$1"): $2: $(field "$1" "$2"), expected $3"
}
for file in "$deb" "$dev"; do
    expect_field "$file" Architecture "$arch"
    expect_field "$file" Version "$version"
    [ -n "$(field "$file" Maintainer)" ] || fail "$(basename "$file"): no Maintainer"
    [ "$(field "$file" Description | wc -l)" -gt 3 ] || fail "$(basename "$file"): no long Description"
done
expect_field "$deb" Package plugrpcd
expect_field "$deb" Section net
expect_field "$dev" Package plugrpc-dev
expect_field "$dev" Section libdevel
# depends FILE NAME...: Depends of FILE names a package starting with each NAME
depends() {
    local file=$1 got
    got=$(field "$file" Depends)
    echo "$(field "$file" Package) Depends: $got"
    shift
    for package in "$@"; do
        grep -q "\(^\|, \)$package" <<<"$got" || fail "$(basename "$file"): Depends lacks $package: $got"
    done
}
depends "$deb" libboost-json libsystemd0 libspdlog libc6 'passwd\(,\|$\)'
depends "$dev" 'libboost1\.81-dev' 'libboost-json1\.81-dev' libspdlog-dev libssl-dev liburing-dev
field "$dev" Depends | grep -q plugrpcd && fail "plugrpc-dev depends on the daemon"
dpkg-deb -e "$deb" "$TMP/control"
[ "$(cat "$TMP/control/conffiles")" = /etc/plugrpcd/plugrpcd.toml ] ||
    fail "conffiles: $(cat "$TMP/control/conffiles" 2>/dev/null)"
for script in postinst prerm postrm; do
    [ -x "$TMP/control/$script" ] || fail "$script is missing or not executable"
    sh -n "$TMP/control/$script" || fail "$script: syntax error"
done
dpkg-deb -e "$dev" "$TMP/dev-control"
for script in preinst postinst prerm postrm; do
    [ ! -e "$TMP/dev-control/$script" ] || fail "plugrpc-dev has a $script"
done

echo "unpack and run"
root=$TMP/root
dpkg-deb -x "$deb" "$root"
dpkg-deb -x "$dev" "$root"
zcat "$root/usr/share/man/man8/plugrpcd.8.gz" | grep -q '^\.TH PLUGRPCD 8' || fail "plugrpcd.8.gz is not the man page"
"$root/usr/sbin/plugrpcd" --version | grep -q '^plugrpcd ' || fail "plugrpcd --version"
"$root/usr/bin/plugrpc" --version | grep -q '^plugrpc ' || fail "plugrpc --version"
config=$root/etc/plugrpcd/plugrpcd.toml
plugins=$root/usr/lib/plugrpcd/plugins
timeout 30 "$root/usr/sbin/plugrpcd" --config "$config" --plugin-dir "$plugins" --check-config >"$TMP/check" 2>&1 ||
    { cat "$TMP/check" >&2; fail "plugrpcd --check-config with the packaged config failed"; }
grep -q 'Arith.Multiply' "$TMP/check" || { cat "$TMP/check" >&2; fail "--check-config does not list Arith.Multiply"; }

start_daemon "$TMP/daemon.log" "$root/usr/sbin/plugrpcd" --config "$config" --plugin-dir "$plugins"
echo "serving on 127.0.0.1:$PORT"
expect_rpc Arith.Multiply '{"A":7,"B":8}' '{"jsonrpc":"2.0","result":56,"id":1}'
expect_rpc Arith.Divide '{"A":17,"B":8}' '{"jsonrpc":"2.0","result":{"Quo":2,"Rem":1},"id":1}'
got=$("$root/usr/bin/plugrpc" call "127.0.0.1:$PORT" Arith.Multiply '{"A":7,"B":8}') ||
    fail "the packaged plugrpc call failed"
[ "$got" = 56 ] || fail "the packaged plugrpc call printed $got, expected 56"
stop_daemon

echo "the packaged plugrpc-plugin-host runs Arith isolated"
sed 's/^isolate = false$/isolate = true/' "$config" >"$TMP/isolated.toml"
grep -qx 'isolate = true' "$TMP/isolated.toml" || fail "the packaged config has no [plugins] isolate = false line"
start_daemon "$TMP/daemon-isolated.log" "$root/usr/sbin/plugrpcd" --config "$TMP/isolated.toml" --plugin-dir "$plugins"
expect_rpc Arith.Multiply '{"A":7,"B":8}' '{"jsonrpc":"2.0","result":56,"id":1}'
grep -q 'isolated in process' "$TMP/daemon-isolated.log" || fail "Arith was not isolated: $(cat "$TMP/daemon-isolated.log")"
stop_daemon

echo "the unpacked SDK: pkg-config and find_package(plugrpc) find it under $libdir"
cflags=$(PKG_CONFIG_PATH=$root$libdir/pkgconfig pkg-config --cflags plugrpc | sed 's/ *$//') ||
    fail "pkg-config --cflags plugrpc"
[ "$(realpath -m "${cflags#-I}")" = "$root/usr/include" ] || fail "pkg-config --cflags plugrpc: $cflags"
mkdir "$TMP/consumer"
cat >"$TMP/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(consumer LANGUAGES CXX)
find_package(plugrpc 0.1 REQUIRED)
message(STATUS "plugrpc ${plugrpc_VERSION} from ${plugrpc_DIR}")
CMAKE
timeout 120 cmake -S "$TMP/consumer" -B "$TMP/consumer/build" -DCMAKE_PREFIX_PATH="$root/usr" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$TMP/consumer.log" 2>&1 ||
    { cat "$TMP/consumer.log" >&2; fail "find_package(plugrpc) failed against the unpacked plugrpc-dev"; }
grep -qF "from $root$libdir/cmake/plugrpc" "$TMP/consumer.log" ||
    { cat "$TMP/consumer.log" >&2; fail "find_package(plugrpc) did not find $libdir/cmake/plugrpc"; }
# Built for one architecture: a 32-bit build must not take these libraries.
mkdir "$TMP/consumer32"
cat >"$TMP/consumer32/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(consumer32 LANGUAGES NONE)
set(CMAKE_SIZEOF_VOID_P 4)
find_package(plugrpc 0.1 CONFIG)
if(plugrpc_FOUND)
  message(FATAL_ERROR "a 32-bit build took plugrpc from ${plugrpc_DIR}")
endif()
CMAKE
timeout 60 cmake -S "$TMP/consumer32" -B "$TMP/consumer32/build" -Dplugrpc_DIR="$root$libdir/cmake/plugrpc" \
    >"$TMP/consumer32.log" 2>&1 || { cat "$TMP/consumer32.log" >&2; fail "a 32-bit build took plugrpc-dev"; }
grep -q '64bit' "$TMP/consumer32.log" ||
    { cat "$TMP/consumer32.log" >&2; fail "plugrpcConfigVersion.cmake did not refuse a 32-bit build for its pointer size"; }
echo "ok"
