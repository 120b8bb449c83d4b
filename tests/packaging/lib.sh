# shellcheck shell=bash
# Helpers for the packaging tests (bash). Source it, then call `setup_test`.
#
#   setup_test            make $TMP, and clean it and any daemon up on exit
#   start_daemon LOG CMD  run a plugrpcd command line in the background on
#                         an ephemeral port; sets DAEMON_PID and PORT
#   rpc METHOD PARAMS     one JSON-RPC 2.0 call over HTTP; prints the reply
#   expect_rpc M P WANT   retry the call for a few seconds until WANT
#   stop_daemon           SIGTERM, then expect exit status 0
#   one_file DIR GLOB     print the one file in DIR matching GLOB, or fail
#   fail MSG              print MSG and exit 1

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

one_file() {
    local found
    mapfile -t found < <(compgen -G "$1/$2")
    [ ${#found[@]} -eq 1 ] || fail "expected one $2 in $1, found ${#found[@]}: $(ls "$1")"
    echo "${found[0]}"
}

DAEMON_PID=""
DAEMON_LOG=""

# Running, not a zombie waiting to be reaped.
daemon_alive() {
    local state
    state=$(awk '{print $3}' "/proc/$DAEMON_PID/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

# `timeout` leads its own process group, the daemon inside it.
kill_daemon_group() {
    kill -KILL -- "-$DAEMON_PID" 2>/dev/null || kill -KILL "$DAEMON_PID" 2>/dev/null || true
}

cleanup() {
    if [ -n "$DAEMON_PID" ] && daemon_alive; then
        kill_daemon_group
        wait "$DAEMON_PID" 2>/dev/null
    fi
    [ -n "${TMP:-}" ] && rm -rf "$TMP"
}

setup_test() {
    set -euo pipefail
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/plugrpc-packaging.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT TERM
}

show_log() {
    [ -n "$DAEMON_LOG" ] && [ -f "$DAEMON_LOG" ] && sed 's/^/  daemon: /' "$DAEMON_LOG" >&2
    return 0
}

# start_daemon LOG plugrpcd [ARGS...] — adds --listen 127.0.0.1:0 itself.
# `timeout` bounds the daemon's life even if this script is killed.
start_daemon() {
    DAEMON_LOG=$1
    shift
    timeout --kill-after=5 300 "$@" --listen 127.0.0.1:0 >"$DAEMON_LOG" 2>&1 &
    DAEMON_PID=$!
    PORT=""
    for _ in $(seq 100); do
        PORT=$(sed -n 's|.*listening on tcp://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$DAEMON_LOG" | head -n 1)
        # Plugins load while the daemon listens: ready once they have.
        [ -n "$PORT" ] && grep -q 'start-up plugin loads done' "$DAEMON_LOG" && return 0
        if ! daemon_alive; then
            show_log
            fail "the daemon exited before listening"
        fi
        sleep 0.1
    done
    show_log
    fail "the daemon did not log 'listening on tcp://127.0.0.1:PORT' and 'start-up plugin loads done' within 10 s"
}

rpc() {
    curl -s --max-time 5 "127.0.0.1:$PORT/_goRPC_" \
        -d "{\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":$2,\"id\":1}"
}

expect_rpc() {
    local got=""
    for _ in $(seq 50); do
        got=$(rpc "$1" "$2" || true)
        [ "$got" = "$3" ] && return 0
        sleep 0.1
    done
    show_log
    fail "$1 $2: expected $3, got ${got:-nothing}"
}

stop_daemon() {
    kill -TERM "$DAEMON_PID"
    local rc=0
    for _ in $(seq 200); do
        daemon_alive || break
        sleep 0.1
    done
    if daemon_alive; then
        kill_daemon_group
        show_log
        fail "the daemon did not exit within 20 s of SIGTERM"
    fi
    wait "$DAEMON_PID" || rc=$?
    DAEMON_PID=""
    if [ "$rc" -ne 0 ]; then
        show_log
        fail "the daemon exited with status $rc after SIGTERM, expected 0"
    fi
}
