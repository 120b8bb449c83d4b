#!/usr/bin/env bash
# A plugin in plain C, written against the installed plugrpc/abi.h alone and
# compiled by gcc with no C++ at all, is served: nothing C++ crosses the ABI.
# It reads its arguments and builds its reply with the host's helpers
# (arg_int, arg_string, set_int, set_string, reply_fields), so it needs no
# JSON library either.
#
# usage: sdk_c.sh BUILD_DIR
#   BUILD_DIR  the built plugrpc tree, installed here into a temporary prefix
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
setup_test
build=$1
prefix=$TMP/prefix
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
[ -n "$libdir" ] || fail "no CMAKE_INSTALL_LIBDIR in $build/CMakeCache.txt"

echo "cmake --install into $prefix"
timeout 120 cmake --install "$build" --prefix "$prefix" >"$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log" >&2; fail "cmake --install failed"; }

mkdir "$TMP/plugins"
cat >"$TMP/calc.c" <<'C'
/* Calc: a plugrpcd plugin in C11, against plugrpc/abi.h only. */
#include <plugrpc/abi.h>

#include <stdio.h>
#include <string.h>

static const plrpc_host_v1 *host;

static int reply_error(plrpc_call *call, const char *msg) {
    host->reply_error(call, msg, strlen(msg));
    return PLRPC_OK;
}

/* Calc.Add(Args{A, B int64}) -> Sum{Sum int64, Lang string} */
static int add(void *data, plrpc_call *call, const char *args, size_t len) {
    int64_t a = 0, b = 0;
    (void)data, (void)args, (void)len;
    if (host->arg_int(call, "A", &a) != PLRPC_OK || host->arg_int(call, "B", &b) != PLRPC_OK)
        return reply_error(call, "A and B must be integers");
    host->set_int(call, "Sum", a + b);
    host->set_string(call, "Lang", "C", 1);
    return host->reply_fields(call);
}

/* Calc.Shout(Text{S string}) -> string */
static int shout(void *data, plrpc_call *call, const char *args, size_t len) {
    const char *s = NULL;
    size_t n = 0;
    char out[256];
    (void)data, (void)args, (void)len;
    if (host->arg_string(call, "S", &s, &n) != PLRPC_OK) return reply_error(call, "S must be a string");
    if (n > sizeof out - 1) return reply_error(call, "too long");
    for (size_t i = 0; i < n; ++i) out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
    out[n] = '!';
    host->set_string(call, NULL, out, n + 1);
    return host->reply_fields(call);
}

static int init(const plrpc_host_v1 *h, plrpc_registrar *reg, const char *config, size_t config_len,
                char *err, size_t err_cap) {
    (void)config, (void)config_len;
    if (h->struct_size < sizeof(plrpc_host_v1) || h->abi_major != PLRPC_ABI_MAJOR) {
        snprintf(err, err_cap, "host ABI %u is not %d", (unsigned)h->abi_major, PLRPC_ABI_MAJOR);
        return PLRPC_ERROR;
    }
    host = h;
    plrpc_method_def m = {0};
    m.struct_size = sizeof m;
    m.service = "Calc";
    m.method = "Add";
    m.args_schema = "{\"type\":\"object\",\"title\":\"Args\",\"properties\":{"
                    "\"A\":{\"type\":\"integer\",\"format\":\"int64\"},"
                    "\"B\":{\"type\":\"integer\",\"format\":\"int64\"}}}";
    m.reply_schema = "{\"type\":\"object\",\"title\":\"Sum\",\"properties\":{"
                     "\"Sum\":{\"type\":\"integer\",\"format\":\"int64\"},"
                     "\"Lang\":{\"type\":\"string\"}}}";
    m.handler = add;
    if (h->register_method(reg, &m) != PLRPC_OK) return snprintf(err, err_cap, "Calc.Add refused"), PLRPC_ERROR;
    m.method = "Shout";
    m.args_schema = "{\"type\":\"object\",\"title\":\"Text\",\"properties\":{\"S\":{\"type\":\"string\"}}}";
    m.reply_schema = "{\"type\":\"string\"}";
    m.handler = shout;
    if (h->register_method(reg, &m) != PLRPC_OK) return snprintf(err, err_cap, "Calc.Shout refused"), PLRPC_ERROR;
    return PLRPC_OK;
}

PLRPC_EXPORT const plrpc_plugin_v1 plugrpc_plugin_v1 = {
    PLRPC_MAGIC, PLRPC_ABI_MAJOR, PLRPC_ABI_MINOR, sizeof(plrpc_plugin_v1),
    "calc", "1.0.0", "Sums in C", init, NULL,
};
C

echo "gcc -std=c11 calc.c (flags from pkg-config plugrpc)"
cflags=$(PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig pkg-config --cflags plugrpc | sed "s/ *$//") ||
    fail "pkg-config does not know the installed plugrpc"
# Relocatable: the include folder is found from the .pc file's own folder.
[ "$(realpath -m "${cflags#-I}")" = "$prefix/include" ] || fail "pkg-config --cflags plugrpc: $cflags"
# shellcheck disable=SC2086 # $cflags is a list of flags
timeout 120 gcc -std=c11 -pedantic -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden \
    -Wl,--no-undefined $cflags -o "$TMP/plugins/calc.so" "$TMP/calc.c" || fail "gcc failed"
if readelf -d "$TMP/plugins/calc.so" | grep -q 'NEEDED.*libstdc++'; then
    fail "calc.so links libstdc++"
fi
exported=$(nm -D --defined-only "$TMP/plugins/calc.so" | awk '{ print $3 }')
[ "$exported" = plugrpc_plugin_v1 ] || fail "calc.so exports more than plugrpc_plugin_v1: $exported"

echo "serve it"
start_daemon "$TMP/daemon.log" "$prefix/sbin/plugrpcd" --config "$prefix/etc/plugrpcd/plugrpcd.toml" \
    --plugin-dir "$TMP/plugins"
expect_rpc Calc.Add '{"A":40,"B":2}' '{"jsonrpc":"2.0","result":{"Sum":42,"Lang":"C"},"id":1}'
expect_rpc Calc.Add '[-5,3]' '{"jsonrpc":"2.0","result":{"Sum":-2,"Lang":"C"},"id":1}'
expect_rpc Calc.Shout '{"S":"hello"}' '{"jsonrpc":"2.0","result":"HELLO!","id":1}'
stop_daemon
echo "ok"
