#!/usr/bin/env bash
# The Debian package under a real systemd: boot a container (systemd-nspawn)
# and run scenario.sh in it as a service (see that file for what it checks).
#
# usage: systemd.sh DEB_DIR SLOW_PLUGIN
#   DEB_DIR      where the packaging test left plugrpcd_*.deb
#   SLOW_PLUGIN  tests/plugins/slow, dropped into the plugin folder in there
#
# The container's root is this machine's own root seen through an overlay
# that is thrown away at the end (--volatile=overlay): nothing to download
# or build first, and the packages plugrpcd needs are those scripts/setup
# installed to build it. It has no network of its own (loopback only), so
# its port 1234 is not this machine's. Bounded: the scenario by its unit's
# TimeoutStartSec, the container by `timeout`.
# shellcheck source-path=SCRIPTDIR source=../packaging/lib.sh
. "$(dirname "$0")/../packaging/lib.sh"
setup_test
here=$(cd "$(dirname "$0")" && pwd)
deb_dir=$1 slow=$2

command -v systemd-nspawn >/dev/null || fail "systemd-nspawn is missing (scripts/setup installs systemd-container)"
[ "$(id -u)" -eq 0 ] || fail "booting a container needs root"
debs=("$deb_dir"/plugrpcd_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then fail "expected one plugrpcd_*.deb in $deb_dir"; fi

work=$TMP/work
mkdir -p "$work/debs" "$work/plugins" "$TMP/root"
cp "${debs[0]}" "$work/debs/"
cp "$slow" "$work/plugins/slow.so"
cp "$here/scenario.sh" "$work/"
echo "booting $(basename "${debs[0]}") in a container"

# nspawn refuses / itself as a root; a bind mount of it, in a mount
# namespace of its own (gone when this ends), is accepted.
start=$(date +%s)
rc=0
# shellcheck disable=SC2016 # expanded by that sh
timeout --kill-after=10 480 unshare --mount --propagation private \
    sh -c 'mount --bind / "$1" && shift && exec systemd-nspawn "$@"' sh "$TMP/root" \
    --quiet --directory="$TMP/root" --volatile=overlay --register=no --keep-unit --private-network \
    --console=pipe --bind="$work:/plugrpc-test" \
    --bind-ro="$here/plugrpc-scenario.service:/etc/systemd/system/plugrpc-scenario.service" \
    --boot -- systemd.unit=basic.target systemd.wants=plugrpc-scenario.service systemd.mask=timers.target \
    </dev/null >"$TMP/boot.log" 2>&1 || rc=$?
echo "container ran $(($(date +%s) - start)) s (exit status $rc)"

[ -f "$work/log" ] && cat "$work/log"
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    sed 's/^/  boot: /' "$TMP/boot.log" >&2
    fail "the container did not power off within 480 s"
fi
[ -f "$work/result" ] || { sed 's/^/  boot: /' "$TMP/boot.log" >&2; fail "the scenario left no result"; }
[ "$(cat "$work/result")" = ok ] || fail "$(cat "$work/result")"
echo "ok"
