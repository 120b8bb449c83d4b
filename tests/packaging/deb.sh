#!/usr/bin/env bash
# `cpack -G DEB` builds a Debian package with FHS paths, runtime Depends and
# the config as a conffile, and the daemon unpacked from it serves Arith with
# the packaged config.
#
# usage: deb.sh SOURCE_DIR BUILD_DIR
#   BUILD_DIR  kept between runs (so a rerun builds only what changed),
#              configured as the release preset with prefix /usr
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
setup_test
src=$1 build=$2

echo "configure and build $build (release, prefix /usr)"
timeout 300 cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPLUGRPC_WERROR=ON -DPLUGRPC_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON -DCMAKE_INSTALL_PREFIX=/usr >"$TMP/configure.log" 2>&1 ||
    { cat "$TMP/configure.log" >&2; fail "configure failed"; }
timeout 1500 cmake --build "$build" >"$TMP/build.log" 2>&1 ||
    { tail -n 50 "$TMP/build.log" >&2; fail "build failed"; }

echo "cpack -G DEB"
rm -f "$build"/plugrpcd_*.deb
(cd "$build" && timeout 300 cpack -G DEB) >"$TMP/cpack.log" 2>&1 ||
    { cat "$TMP/cpack.log" >&2; fail "cpack failed"; }
debs=("$build"/plugrpcd_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
    fail "expected one plugrpcd_*.deb in $build"
fi
deb=${debs[0]}
echo "built $(basename "$deb")"

echo "contents"
dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$TMP/contents"
for path in /usr/sbin/plugrpcd /usr/lib/plugrpcd/plugins/arith.so /etc/plugrpcd/plugrpcd.toml \
    /lib/systemd/system/plugrpcd.service /lib/systemd/system/plugrpcd.socket \
    /usr/include/plugrpc/abi.h /usr/include/plugrpc/plugin.hpp \
    /usr/lib/cmake/plugrpc/plugrpcConfig.cmake /usr/lib/cmake/plugrpc/plugrpcConfigVersion.cmake \
    /usr/lib/cmake/plugrpc/plugrpcTargets.cmake /usr/lib/cmake/plugrpc/plugrpc-plugin.cmake \
    /usr/lib/pkgconfig/plugrpc.pc /usr/lib/sysusers.d/plugrpcd.conf \
    /usr/share/man/man8/plugrpcd.8.gz /usr/share/man/man5/plugrpcd.toml.5.gz \
    /usr/bin/plugrpc /usr/share/man/man1/plugrpc.1.gz /usr/share/bash-completion/completions/plugrpc \
    /usr/include/plugrpc/client.hpp /usr/include/plugrpc/client/client.hpp; do
    grep -qxF "$path" "$TMP/contents" || { cat "$TMP/contents" >&2; fail "the package lacks $path"; }
done
# Nothing else: no /usr/etc, no /usr/local, no test plugin.
allowed='^/(|etc/|lib/|lib/systemd/|usr/|usr/bin/|usr/sbin/|usr/include/|usr/lib/|usr/lib/cmake/|usr/share/|usr/share/man/|usr/share/man/man[158]/)$'
allowed+='|^/(etc/plugrpcd|lib/systemd/system|usr/include/plugrpc|usr/lib/plugrpcd|usr/lib/cmake/plugrpc|usr/lib/pkgconfig|usr/lib/sysusers\.d)/'
allowed+='|^/usr/sbin/plugrpcd$|^/usr/share/man/man[58]/plugrpcd'
# The client: the CLI, its man page and completion, the static libraries.
allowed+='|^/usr/bin/plugrpc$|^/usr/share/man/man1/plugrpc\.1\.gz$|^/usr/share/bash-completion/(completions/(plugrpc)?)?$'
allowed+='|^/usr/lib/[a-z0-9_]+-linux-gnu[a-z0-9_]*/$|^/usr/lib/[a-z0-9_]+-linux-gnu[a-z0-9_]*/libplugrpc_(client|wire|server)\.a$'
stray=$(grep -Ev "$allowed" "$TMP/contents" || true)
[ -z "$stray" ] || fail "unexpected paths in the package: $stray"
grep -q 'slow\.so' "$TMP/contents" && fail "a test plugin is in the package"

echo "control"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = plugrpcd ] || fail "Package: $(field Package)"
[ "$(field Section)" = net ] || fail "Section: $(field Section), expected net"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[ -n "$(field Description)" ] || fail "no Description"
depends=$(field Depends)
echo "Depends: $depends"
for lib in libboost-json libsystemd libspdlog libc6; do
    grep -q "\(^\|, \)$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
dpkg-deb -e "$deb" "$TMP/control"
[ "$(cat "$TMP/control/conffiles")" = /etc/plugrpcd/plugrpcd.toml ] ||
    fail "conffiles: $(cat "$TMP/control/conffiles" 2>/dev/null)"
for script in postinst prerm postrm; do
    [ -x "$TMP/control/$script" ] || fail "$script is missing or not executable"
    sh -n "$TMP/control/$script" || fail "$script: syntax error"
done

echo "unpack and run"
root=$TMP/root
dpkg-deb -x "$deb" "$root"
file "$root/usr/sbin/plugrpcd" | grep -q 'ELF.*, stripped' || fail "usr/sbin/plugrpcd is not a stripped ELF"
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
echo "ok"
