#!/usr/bin/env bash
# Runs inside the container that tests/systemd/systemd.sh boots, as a
# systemd service of a real systemd (PID 1): the life of the Debian package
# on a system, each defect of the unit's history first reproduced (with a
# drop-in that brings the old behaviour back) and then shown fixed.
#
# /plugrpc-test (bound from the host) holds debs/plugrpcd_*.deb and
# plugins/slow.so; this script writes its progress to stdout (the log) and
# its verdict to /plugrpc-test/result: "ok", or the first failure.
set -euo pipefail
T=/plugrpc-test
ADDR=127.0.0.1:1234
UNIT=plugrpcd.service
CONF=/etc/plugrpcd/plugrpcd.toml
DROPIN=/etc/systemd/system/plugrpcd.service.d

fail() {
    echo "FAIL: $*"
    journalctl --no-pager -n 40 -u plugrpcd.service -u plugrpcd.socket | sed 's/^/  journal: /' || true
    echo "FAIL: $*" >"$T/result"
    exit 1
}
step() { echo "== $*"; }
say() { echo "   $*"; }
prop() { systemctl show -P "$1" "$2"; }

# A JSON-RPC 2.0 call over HTTP; prints the reply.
rpc() { curl -s --max-time 10 "http://${3:-$ADDR}/_goRPC_" -d "{\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":$2,\"id\":1}"; }
expect_rpc() {
    local got=""
    for _ in $(seq 50); do
        got=$(rpc "$1" "$2" "${4:-}" || true)
        [ "$got" = "$3" ] && return 0
        sleep 0.1
    done
    fail "$1 $2: expected $3, got ${got:-nothing}"
}
multiply_ok() { expect_rpc Arith.Multiply '{"A":7,"B":8}' '{"jsonrpc":"2.0","result":56,"id":1}' "${1:-}"; }

# An override of the packaged unit: drop_in NAME TEXT, then daemon-reload.
drop_in() {
    mkdir -p "$DROPIN"
    printf '%s\n' "$2" >"$DROPIN/$1.conf"
    systemctl daemon-reload
}
remove_drop_in() {
    rm -f "$DROPIN/$1.conf"
    systemctl daemon-reload
}

# Waits up to 10 s for the unit's ActiveState to be $2.
wait_state() {
    for _ in $(seq 100); do
        [ "$(prop ActiveState "$1")" = "$2" ] && return 0
        sleep 0.1
    done
    fail "$1 is $(prop ActiveState "$1"), expected $2"
}

step "prepare: a system as a minimal Debian one is (no procps, so no kill(1)), no plugrpcd yet"
# This root is the host's own, seen through a throw-away overlay: undo what
# only build hosts have (a policy-rc.d that forbids starting services, a
# man-db that reindexes on every install) and what Debian's minbase lacks.
rm -f /usr/sbin/policy-rc.d /var/lib/man-db/auto-update
if dpkg-query -W -f='${Status}' plugrpcd 2>/dev/null | grep -q installed; then dpkg --purge plugrpcd >/dev/null; fi
if dpkg-query -W -f='${Status}' procps 2>/dev/null | grep -q installed; then
    dpkg --remove --force-depends procps >/dev/null 2>&1
fi
if [ -e /bin/kill ] || [ -e /usr/bin/kill ]; then fail "kill(1) is still installed"; fi
getent passwd plugrpcd >/dev/null && fail "user plugrpcd exists before the install"
say "systemd $(systemctl --version | head -n 1 | awk '{print $2}'), $(systemctl is-system-running || true)"

step "install the package: the user, the units, the service started"
debs=("$T"/debs/plugrpcd_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then fail "expected one plugrpcd_*.deb in $T/debs"; fi
dpkg -i "${debs[0]}" >"$T/dpkg-install.log" 2>&1 || { cat "$T/dpkg-install.log"; fail "dpkg -i failed"; }
getent passwd plugrpcd >/dev/null || fail "the package did not create user plugrpcd"
wait_state $UNIT active
systemctl enable --now $UNIT 2>/dev/null || fail "systemctl enable --now $UNIT failed"
[ "$(systemctl is-enabled $UNIT)" = enabled ] || fail "$UNIT is not enabled"
[ "$(prop User $UNIT)" = plugrpcd ] || fail "User=$(prop User $UNIT)"
[ "$(stat -c %U "/proc/$(prop MainPID $UNIT)")" = plugrpcd ] || fail "the daemon does not run as plugrpcd"
say "$(prop StatusText $UNIT)"

step "calls: JSON-RPC over HTTP with curl, gob and JSON-RPC with the packaged plugrpc"
multiply_ok
expect_rpc Arith.Divide '{"A":17,"B":8}' '{"jsonrpc":"2.0","result":{"Quo":2,"Rem":1},"id":1}'
[ "$(plugrpc call --proto gob Arith.Multiply '{"A":6,"B":7}')" = 42 ] || fail "plugrpc call --proto gob"
[ "$(plugrpc call Arith.Multiply '{"A":6,"B":7}')" = 42 ] || fail "plugrpc call (JSON-RPC)"
err=$(plugrpc call Arith.Divide '{"A":1,"B":0}' 2>&1 >/dev/null) && fail "a division by zero succeeded"
[ "$err" = "divide by zero" ] || fail "a division by zero said: $err"

step "systemd-analyze security: exposure at most 2.0"
exposure=$(systemd-analyze security $UNIT 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || fail "systemd-analyze security printed no exposure"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure $exposure is above 2.0"
say "exposure $exposure"

step "reload without procps"
drop_in old-reload $'[Service]\nExecReload=\nExecReload=/bin/kill -HUP $MAINPID'
systemctl reload $UNIT 2>/dev/null && fail "the old ExecReload=/bin/kill reloaded without kill(1)?"
say "reproduced: ExecReload=/bin/kill fails here ($(prop ExecReload $UNIT | grep -o 'status=[^ ;]*' | head -n 1))"
remove_drop_in old-reload
systemctl reload $UNIT || fail "systemctl reload failed with the packaged ExecReload"
say "fixed: ExecReload=$(prop ExecReload $UNIT | sed -n 's/.*argv\[\]=\([^;]*\);.*/\1/p')"
multiply_ok

step "reload of a config the daemon rejects"
cp $CONF "$T/plugrpcd.toml.orig"
pid=$(prop MainPID $UNIT)
drop_in signal-reload $'[Service]\nExecReload=\nExecReload=/bin/sh -c "kill -HUP $MAINPID"'
printf '[server]\nlisten = 1234\n' >$CONF
systemctl reload $UNIT || fail "with a signal-only ExecReload the reload failed: not the old behaviour"
say "reproduced: a signal-only ExecReload reports success for a config the daemon rejected"
remove_drop_in signal-reload
if out=$(systemctl reload $UNIT 2>&1); then fail "systemctl reload succeeded with a rejected config"; fi
journalctl --no-pager -u $UNIT -n 20 -o cat | grep -q 'rejected' || fail "the journal does not say rejected"
[ "$(prop MainPID $UNIT)" = "$pid" ] || fail "the daemon changed after a rejected reload"
multiply_ok
say "fixed: systemctl reload fails ($(journalctl --no-pager -u $UNIT -n 20 -o cat | grep -m1 'rejected' | sed 's/^reload: //')), the daemon serves on"
cp "$T/plugrpcd.toml.orig" $CONF
sed -i 's/^\[limits\]$/&\nmax_batch = 1/' $CONF
systemctl reload $UNIT || fail "systemctl reload of a good config failed"
batch() {
    curl -s --max-time 10 "http://$ADDR/_goRPC_" -d '[{"jsonrpc":"2.0","method":"Arith.Multiply","params":[1,2],"id":1},
        {"jsonrpc":"2.0","method":"Arith.Multiply","params":[3,4],"id":2}]'
}
out=$(batch)
grep -q '"error"' <<<"$out" || fail "max_batch = 1 did not take effect: $out"
cp "$T/plugrpcd.toml.orig" $CONF
systemctl reload $UNIT || fail "systemctl reload back to the packaged config failed"
out=$(batch)
grep -q '"result":12' <<<"$out" || fail "a batch of 2 is not served with the packaged config: $out"
say "a good config takes effect: a batch of 2 over max_batch = 1 is refused, then served again"

step "a plugin dropped into the folder is served without a signal"
install -m 0644 "$T/plugins/slow.so" /usr/lib/plugrpcd/plugins/.slow.so.new
mv /usr/lib/plugrpcd/plugins/.slow.so.new /usr/lib/plugrpcd/plugins/slow.so
expect_rpc Slow.Sleep '{"Millis":1}' '{"jsonrpc":"2.0","result":1,"id":1}'
say "Slow.Sleep served"

# How many plugrpc-plugin-host processes run (no procps here). grep finds
# none, or a process ends while it reads: neither is a failure.
plugin_processes() { { grep -lx 'plugrpc-plugin-' /proc/[0-9]*/comm 2>/dev/null || true; } | wc -l; }

step "isolated plugins under the unit's sandbox: each in its own process, the channel's pipes allowed by the system call filter"
sed -i 's/^isolate = false$/isolate = true/' $CONF
grep -qx 'isolate = true' $CONF || fail "the packaged config has no [plugins] isolate = false line"
systemctl restart $UNIT || fail "restart with isolate = true failed"
multiply_ok
expect_rpc Slow.Sleep '{"Millis":1}' '{"jsonrpc":"2.0","result":1,"id":1}'
journalctl --no-pager -u $UNIT -n 50 -o cat | grep -q 'isolated in process' ||
    fail "no plugin was isolated: $(journalctl --no-pager -u $UNIT -n 20 -o cat)"
hosts=$(plugin_processes)
[ "$hosts" -ge 2 ] || fail "$hosts plugin processes run, expected one per plugin (arith, slow)"
cp "$T/plugrpcd.toml.orig" $CONF
systemctl restart $UNIT || fail "restart with the packaged config failed"
multiply_ok
left=$(plugin_processes)
[ "$left" -eq 0 ] || fail "$left plugin processes still run with isolate = false"
say "Arith and Slow served from $hosts plugin processes; back in-process, none left"

# Calls in parallel loops against the daemon while `systemctl $1` runs.
# A call that could not connect was never sent ("Connection refused"); any
# other failure is a call lost.
load_during() {
    local action=$1 dir
    dir=$(mktemp -d)
    for n in 1 2 3 4; do
        (
            while [ ! -e "$dir/done" ]; do
                if out=$(plugrpc call --timeout 20s "$ADDR" Slow.Sleep '{"Millis":150}' 2>&1); then
                    echo ok
                elif grep -q 'Connection refused' <<<"$out"; then
                    echo refused
                else
                    echo "lost: $out"
                fi
            done >"$dir/loop$n"
        ) &
    done
    for _ in $(seq 100); do
        [ "$(cat "$dir"/loop* | grep -c '^ok$')" -ge 8 ] && break
        sleep 0.1
    done
    systemctl "$action" $UNIT || fail "systemctl $action $UNIT failed under load"
    sleep 1
    touch "$dir/done"
    wait
    ok=$(cat "$dir"/loop* | grep -c '^ok$' || true)
    refused=$(cat "$dir"/loop* | grep -c '^refused$' || true)
    lost=$(cat "$dir"/loop* | grep '^lost' || true)
    rm -rf "$dir"
    [ -z "$lost" ] || fail "systemctl $action lost calls: $lost"
    [ "$ok" -ge 8 ] || fail "only $ok calls succeeded under load"
}

step "stop under load: every call sent is answered"
load_during stop
[ "$(prop Result $UNIT)" = success ] || fail "Result=$(prop Result $UNIT) after stop"
[ "$(prop ExecMainStatus $UNIT)" = 0 ] || fail "the daemon exited $(prop ExecMainStatus $UNIT) on stop"
say "4 clients: $ok calls answered, $refused refused after the stop, 0 lost"
systemctl start $UNIT
multiply_ok

step "socket activation"
systemctl enable --now plugrpcd.socket 2>/dev/null && fail "the socket started while the service ran: not the old trouble"
journalctl --no-pager -u plugrpcd.socket -o cat | grep -q 'already active, refusing' ||
    fail "the socket failed for another reason than 'already active, refusing'"
# Whether this fails depends on which of the two jobs systemd runs first
# (seen both ways on a loaded machine): what matters is the fix below.
if systemctl restart plugrpcd.socket $UNIT 2>/dev/null; then
    say "not reproduced this time: 'systemctl restart plugrpcd.socket plugrpcd.service' succeeded (systemd stopped the service before the socket listened)"
else
    say "reproduced: the socket refuses to start while the service runs, and 'systemctl restart plugrpcd.socket plugrpcd.service' fails"
fi
# What plugrpcd(8) and plugrpcd.socket say to do.
systemctl stop $UNIT
systemctl enable --now plugrpcd.socket || fail "systemctl enable --now plugrpcd.socket after stopping the service failed"
multiply_ok
wait_state $UNIT active
journalctl --no-pager -u $UNIT -n 20 -o cat | grep -q 'listening on tcp://127.0.0.1:1234 (fd 3 from systemd)' ||
    fail "the service did not serve on the socket systemd passed"
say "fixed: stop the service, then enable --now the socket: the first call starts the service on systemd's socket"
mkdir -p /etc/systemd/system/plugrpcd.socket.d
printf '[Socket]\nListenStream=\nListenStream=127.0.0.1:4321\n' >/etc/systemd/system/plugrpcd.socket.d/listen.conf
systemctl daemon-reload
systemctl stop $UNIT plugrpcd.socket || fail "systemctl stop $UNIT plugrpcd.socket failed"
systemctl start plugrpcd.socket $UNIT || fail "systemctl start plugrpcd.socket $UNIT failed"
multiply_ok 127.0.0.1:4321
rpc Arith.Multiply '{"A":7,"B":8}' >/dev/null && fail "127.0.0.1:1234 still answers after the socket moved"
say "a socket drop-in (ListenStream=127.0.0.1:4321) takes effect with the documented restart"
ADDR=127.0.0.1:4321
load_during restart
say "restart under load with socket activation: $ok calls answered, $refused refused, 0 lost"
ADDR=127.0.0.1:1234
rm -r /etc/systemd/system/plugrpcd.socket.d
systemctl daemon-reload
systemctl disable --now plugrpcd.socket $UNIT 2>/dev/null
systemctl enable --now $UNIT 2>/dev/null
multiply_ok

step "a config that cannot be served does not restart forever"
drop_in old-restart $'[Service]\nRestartPreventExitStatus='
printf '[server]\nlisten = 1234\n' >$CONF
systemctl restart $UNIT 2>/dev/null && fail "the service started with a bad config"
sleep 5
restarts=$(prop NRestarts $UNIT)
[ "$restarts" -ge 1 ] || fail "without RestartPreventExitStatus the unit did not restart ($restarts)"
say "reproduced: without RestartPreventExitStatus=78 systemd restarted it $restarts times in 5 s"
systemctl stop $UNIT
remove_drop_in old-restart
systemctl reset-failed $UNIT
systemctl restart $UNIT 2>/dev/null && fail "the service started with a bad config"
sleep 5
[ "$(prop NRestarts $UNIT)" = 0 ] || fail "NRestarts=$(prop NRestarts $UNIT) with RestartPreventExitStatus=78"
[ "$(prop ExecMainStatus $UNIT)" = 78 ] || fail "the daemon exited $(prop ExecMainStatus $UNIT), expected 78"
[ "$(prop ActiveState $UNIT)" = failed ] || fail "ActiveState=$(prop ActiveState $UNIT)"
say "fixed: exit status 78, failed, 0 restarts in 5 s"
cp "$T/plugrpcd.toml.orig" $CONF
systemctl reset-failed $UNIT
systemctl start $UNIT
multiply_ok

step "plugrpcd -t checks as the service runs"
mkdir -p /etc/plugrpcd/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout /etc/plugrpcd/tls/key.pem -out /etc/plugrpcd/tls/cert.pem 2>/dev/null
chmod 0600 /etc/plugrpcd/tls/key.pem
chmod 0644 /etc/plugrpcd/tls/cert.pem
{
    echo '[server]'
    echo 'listen = ["tcp://127.0.0.1:1234", "tls://127.0.0.1:8443"]'
    echo '[tls]'
    echo 'cert_file = "tls/cert.pem"'
    echo 'key_file = "tls/key.pem"'
} >$CONF
systemctl restart $UNIT 2>/dev/null && fail "the service started with a key only root can read"
[ "$(prop ExecMainStatus $UNIT)" = 78 ] || fail "the daemon exited $(prop ExecMainStatus $UNIT), expected 78"
out=$(plugrpcd -t 2>&1) && fail "plugrpcd -t approved a key user plugrpcd cannot read: $out"
grep -q '/etc/plugrpcd/tls/key.pem (\[tls\] key_file): user plugrpcd cannot read it: Permission denied' <<<"$out" ||
    fail "plugrpcd -t did not name the key: $out"
say "a root-only key: the service fails (78) and plugrpcd -t says why: $(grep -m1 'cannot read it' <<<"$out")"
chgrp plugrpcd /etc/plugrpcd/tls/key.pem
chmod 0640 /etc/plugrpcd/tls/key.pem
out=$(plugrpcd -t 2>&1) || fail "plugrpcd -t refused a key the service can read: $out"
systemctl reset-failed $UNIT
systemctl start $UNIT || fail "the service did not start with a key it can read"
[ "$(curl -s --max-time 10 --cacert /etc/plugrpcd/tls/cert.pem https://127.0.0.1:8443/_goRPC_ \
    -d '{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1}')" = '{"jsonrpc":"2.0","result":56,"id":1}' ] ||
    fail "no call over TLS"
say "the key readable by group plugrpcd: -t passes and the service serves TLS"
mkdir -p /root/plugins
cp /usr/lib/plugrpcd/plugins/arith.so /root/plugins/
printf '[plugins]\ndirs = ["/root/plugins"]\n' >$CONF
out=$(plugrpcd -t 2>&1) && fail "plugrpcd -t approved plugins under /root: $out"
grep -q '/root/plugins (a plugin folder): under /root, which plugrpcd.service hides from the service (ProtectHome=yes)' <<<"$out" ||
    fail "plugrpcd -t did not name /root/plugins: $out"
systemctl restart $UNIT || fail "the service did not start with an empty plugin folder"
journalctl --no-pager -u $UNIT -n 20 -o cat | grep -q '/root/plugins.*cannot read plugin folder' ||
    fail "the service read /root/plugins?"
say "plugins under /root: the service cannot read them, and plugrpcd -t says so"
rm -r /root/plugins /etc/plugrpcd/tls
cp "$T/plugrpcd.toml.orig" $CONF
systemctl restart $UNIT
multiply_ok

step "purge: no files, no units, no state left behind"
rm /usr/lib/plugrpcd/plugins/slow.so
dpkg --purge plugrpcd >"$T/dpkg-purge.log" 2>&1 || { cat "$T/dpkg-purge.log"; fail "dpkg --purge failed"; }
grep -i 'warning' "$T/dpkg-purge.log" && fail "dpkg --purge warned"
for path in /etc/plugrpcd /usr/sbin/plugrpcd /usr/lib/plugrpcd /lib/systemd/system/plugrpcd.service \
    /lib/systemd/system/plugrpcd.socket /etc/systemd/system/multi-user.target.wants/plugrpcd.service \
    /etc/systemd/system/sockets.target.wants/plugrpcd.socket /etc/systemd/system/plugrpcd.service.d \
    /run/plugrpcd; do
    [ ! -e "$path" ] || fail "$path is left after purge"
done
left=$(find /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked -name '*plugrpcd*' 2>/dev/null || true)
[ -z "$left" ] || fail "deb-systemd-helper state left after purge: $left"
[ "$(prop LoadState $UNIT)" = not-found ] || fail "$UNIT is still $(prop LoadState $UNIT)"
uid=$(id -u plugrpcd)
for p in /proc/[0-9]*; do
    [ "$(stat -c %u "$p" 2>/dev/null || true)" != "$uid" ] || fail "process ${p#/proc/} of user plugrpcd runs after purge"
done
# As postrm says (Debian policy): the user stays, files it owned may remain.
getent passwd plugrpcd >/dev/null || fail "purge removed user plugrpcd, which postrm promises to keep"
say "no files, units or enablement left; user plugrpcd kept, as postrm says"

echo ok >"$T/result"
echo "ok"
