#!/usr/bin/env bash
# The systemd units pass `systemd-analyze verify`, and the service's
# exposure score from `systemd-analyze security` is at most 2.0.
#
# usage: units.sh SOURCE_DIR PLUGRPCD MAN_DIR
#   PLUGRPCD  the built daemon: verify wants ExecStart= to name a real file,
#             so the test verifies copies whose ExecStart= names it
#   MAN_DIR   the built man pages: verify runs man(1) on Documentation=
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
setup_test
src=$1 plugrpcd=$2 man_dir=$3
units=$src/packaging/systemd
max_score=2.0

grep -qx 'ExecStart=/usr/sbin/plugrpcd --config /etc/plugrpcd/plugrpcd.toml' "$units/plugrpcd.service" ||
    fail "plugrpcd.service: ExecStart= is not the packaged daemon and config"

mkdir "$TMP/units"
sed -e "s|^ExecStart=/usr/sbin/plugrpcd |ExecStart=$plugrpcd |" -e "s|^ExecReload=/usr/sbin/plugrpcd |ExecReload=$plugrpcd |" \
    "$units/plugrpcd.service" >"$TMP/units/plugrpcd.service"
cp "$units/plugrpcd.socket" "$TMP/units/"

echo "systemd-analyze verify plugrpcd.service plugrpcd.socket"
if ! out=$(MANPATH=$man_dir timeout 60 systemd-analyze verify \
    "$TMP/units/plugrpcd.service" "$TMP/units/plugrpcd.socket" 2>&1); then
    echo "$out" >&2
    fail "systemd-analyze verify failed"
fi
# verify reports some problems as warnings with status 0: none allowed.
[ -z "$out" ] || { echo "$out" >&2; fail "systemd-analyze verify printed warnings"; }

echo "systemd-analyze security --offline=yes plugrpcd.service"
out=$(timeout 60 systemd-analyze security --offline=yes --no-pager "$units/plugrpcd.service" 2>&1) || true
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for plugrpcd\.service: \([0-9][0-9.]*\).*/\1/p')
[ -n "$score" ] || { echo "$out" >&2; fail "no exposure score in the output of systemd-analyze security"; }
echo "exposure score: $score (at most $max_score)"
if ! awk -v s="$score" -v m="$max_score" 'BEGIN { exit !(s + 0 <= m + 0) }'; then
    printf '%s\n' "$out" | grep '✗' >&2 || true
    fail "exposure score $score is above $max_score"
fi

# What the unit promises elsewhere (plugrpcd(8), the package): check it stays.
# shellcheck disable=SC2016 # $MAINPID is for systemd, not this shell
for line in Type=notify NotifyAccess=main 'ExecReload=/usr/sbin/plugrpcd reload --pid $MAINPID' RestartPreventExitStatus=78 User=plugrpcd \
    ConfigurationDirectory=plugrpcd RuntimeDirectory=plugrpcd \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' SystemCallFilter=@system-service; do
    grep -qxF "$line" "$units/plugrpcd.service" || fail "plugrpcd.service lacks $line"
done
grep -q '^DynamicUser=yes' "$units/plugrpcd.service" && fail "plugrpcd.service must not use DynamicUser="
for line in ListenStream=127.0.0.1:1234 Service=plugrpcd.service; do
    grep -qxF "$line" "$units/plugrpcd.socket" || fail "plugrpcd.socket lacks $line"
done
echo "ok"
