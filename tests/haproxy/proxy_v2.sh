#!/usr/bin/env bash
# PROXY protocol v2 through real HAProxy (`server ... send-proxy-v2`): a
# client on 127.0.0.7 calls through HAProxy in TCP mode (JSON-RPC stream),
# HTTP mode and TCP mode in front of a tls:// listener (the header comes
# before the TLS handshake), and plugrpcd's access rule and log see
# 127.0.0.7, not HAProxy's 127.0.0.1; a client on 127.0.0.8 is refused by
# the rule under its own address. A backend whose source (127.0.0.9) is not
# in proxy_trusted has its PROXY header refused.
#
# usage: proxy_v2.sh PLUGRPCD ARITH_SO
# shellcheck source-path=SCRIPTDIR source=../packaging/lib.sh
source "$(dirname "$0")/../packaging/lib.sh"
setup_test
PLUGRPCD=$1
ARITH=$2
command -v haproxy >/dev/null || fail "haproxy is not installed (scripts/setup installs it)"

HAPROXY_PID=""
stop_haproxy() {
    if [ -n "$HAPROXY_PID" ]; then
        kill "$HAPROXY_PID" 2>/dev/null || true
        wait "$HAPROXY_PID" 2>/dev/null || true
    fi
    cleanup
}
trap stop_haproxy EXIT

# Ports nothing listens on now, all different (HAProxy needs them named in
# its config): appended to PORTS. Run in this shell, not in $(...): each
# subshell would draw the same $RANDOM.
PORTS=()
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 40000))
        [[ " ${PORTS[*]} " == *" $p "* ]] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            PORTS+=("$p")
            return 0
        fi
    done
    fail "no free port found"
}

mkdir "$TMP/plugins"
cp "$ARITH" "$TMP/plugins/"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=plugrpcd-test \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null

cat >"$TMP/plugrpcd.toml" <<TOML
[server]
listen = ["tcp://127.0.0.1:0", "tls://127.0.0.1:0"]
proxy_protocol = ["tcp://127.0.0.1:0", "tls://127.0.0.1:0"]
proxy_trusted = ["127.0.0.1"]
threads = 2
[plugins]
dirs = ["$TMP/plugins"]
watch = false
[tls]
cert_file = "cert.pem"
key_file = "key.pem"
[access.Arith]
allow = ["127.0.0.7"]
TOML

DAEMON_LOG=$TMP/daemon.log
timeout --kill-after=5 300 "$PLUGRPCD" -c "$TMP/plugrpcd.toml" >"$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
PORT="" TLS_PORT=""
for _ in $(seq 100); do
    PORT=$(sed -n 's|.*listening on tcp://127\.0\.0\.1:\([0-9][0-9]*\) (PROXY protocol).*|\1|p' "$DAEMON_LOG" | head -n 1)
    TLS_PORT=$(sed -n 's|.*listening on tls://127\.0\.0\.1:\([0-9][0-9]*\) (PROXY protocol).*|\1|p' "$DAEMON_LOG" | head -n 1)
    # Plugins load while the daemon listens: ready once they have.
    [ -n "$PORT" ] && [ -n "$TLS_PORT" ] && grep -q 'start-up plugin loads done' "$DAEMON_LOG" && break
    daemon_alive || { show_log; fail "plugrpcd exited before listening"; }
    sleep 0.1
done
if [ -z "$PORT" ] || [ -z "$TLS_PORT" ] || ! grep -q 'start-up plugin loads done' "$DAEMON_LOG"; then
    show_log
    fail "plugrpcd did not log its two PROXY protocol listeners"
fi

for _ in 1 2 3 4; do free_port; done
TCP_IN=${PORTS[0]} HTTP_IN=${PORTS[1]} TLS_IN=${PORTS[2]} UNTRUSTED_IN=${PORTS[3]}
cat >"$TMP/haproxy.cfg" <<CFG
global
    maxconn 100
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend tcp_in
    bind 127.0.0.1:$TCP_IN
    default_backend daemon_tcp
backend daemon_tcp
    server d1 127.0.0.1:$PORT send-proxy-v2 source 127.0.0.1
frontend http_in
    mode http
    bind 127.0.0.1:$HTTP_IN
    default_backend daemon_http
backend daemon_http
    mode http
    server d1 127.0.0.1:$PORT send-proxy-v2 source 127.0.0.1
frontend tls_in
    bind 127.0.0.1:$TLS_IN
    default_backend daemon_tls
backend daemon_tls
    server d1 127.0.0.1:$TLS_PORT send-proxy-v2 source 127.0.0.1
frontend untrusted_in
    bind 127.0.0.1:$UNTRUSTED_IN
    default_backend untrusted
backend untrusted
    server d1 127.0.0.1:$PORT send-proxy-v2 source 127.0.0.9
CFG
timeout --kill-after=5 300 haproxy -db -f "$TMP/haproxy.cfg" >"$TMP/haproxy.log" 2>&1 &
HAPROXY_PID=$!
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$UNTRUSTED_IN") 2>/dev/null && break
    sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$UNTRUSTED_IN") 2>/dev/null || { cat "$TMP/haproxy.log" >&2; fail "haproxy did not start"; }

REQ='{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1}'
OK='{"jsonrpc":"2.0","result":56,"id":1}'
failures=0
check() { # WHAT GOT WANT-SUBSTRING
    if [[ "$2" == *"$3"* ]]; then
        echo "ok: $1"
    else
        echo "FAIL: $1: expected \"$3\" in \"$2\"" >&2
        failures=$((failures + 1))
    fi
}
tcp_call() { # SOURCE PORT
    printf '%s\n' "$REQ" | timeout 10 nc -N -s "$1" 127.0.0.1 "$2" || true
}
http_call() { # SOURCE
    curl -s --max-time 10 --interface "$1" "http://127.0.0.1:$HTTP_IN/_goRPC_" -d "$REQ" || true
}

check "TCP mode: 127.0.0.7 is allowed through HAProxy" "$(tcp_call 127.0.0.7 "$TCP_IN")" "$OK"
check "TCP mode: 127.0.0.8 is refused under its own address" "$(tcp_call 127.0.0.8 "$TCP_IN")" \
    "rpc: access to Arith.Multiply refused for 127.0.0.8"
check "HTTP mode: 127.0.0.7 is allowed through HAProxy" "$(http_call 127.0.0.7)" "$OK"
check "HTTP mode: 127.0.0.8 is refused" "$(http_call 127.0.0.8)" '"code":-32003'
check "TLS behind HAProxy (PROXY before the handshake): 127.0.0.7 is allowed" \
    "$(curl -s --max-time 10 --interface 127.0.0.7 --cacert "$TMP/cert.pem" "https://127.0.0.1:$TLS_IN/_goRPC_" -d "$REQ" || true)" "$OK"
check "the daemon's log names the client behind HAProxy" "$(cat "$DAEMON_LOG")" \
    "tcp://127.0.0.8:"
check "... and HAProxy as the way it came" "$(grep 'refused for 127.0.0.8' "$DAEMON_LOG" || true)" "(via tcp://127.0.0.1:"
for _ in 1 2; do
    got=$(tcp_call 127.0.0.7 "$UNTRUSTED_IN")
    if [ -n "$got" ]; then
        echo "FAIL: a connection through an untrusted proxy was answered: $got" >&2
        failures=$((failures + 1))
    fi
done
for _ in $(seq 50); do
    grep -q "PROXY header from a peer not in \[server\] proxy_trusted" "$DAEMON_LOG" && break
    sleep 0.1
done
check "an untrusted proxy's header is refused and logged" "$(cat "$DAEMON_LOG")" \
    "tcp://127.0.0.9:"
METRICS=$(curl -s --max-time 10 --interface 127.0.0.1 "http://127.0.0.1:$HTTP_IN/metrics" || true)
# HAProxy retries a connection the server closes: at least the two tries.
untrusted=$(sed -n 's/^plugrpc_proxy_protocol_refused_total{reason="untrusted"} \([0-9]*\)$/\1/p' <<<"$METRICS")
if [ "${untrusted:-0}" -ge 2 ]; then
    echo "ok: /metrics, asked through HAProxy, counts the untrusted headers ($untrusted)"
else
    echo "FAIL: /metrics counts ${untrusted:-no} untrusted PROXY headers, expected at least 2" >&2
    failures=$((failures + 1))
fi
check "/metrics counts the refused calls" "$METRICS" 'plugrpc_calls_refused_total{service="Arith",reason="access"} 2'

if [ "$failures" -ne 0 ]; then
    show_log
    sed 's/^/  haproxy: /' "$TMP/haproxy.log" >&2
    fail "$failures checks failed"
fi
stop_daemon
echo "ok: PROXY protocol v2 through HAProxy"
