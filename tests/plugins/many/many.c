/* Many: a test plugin in plain C that registers as many methods as its
 * [plugin.many] table asks for (`methods = 10000`; 10 without it), to see
 * what a large registry costs the admin pages. Many.M<i>(int64) replies
 * i + its argument. */
#include <plugrpc/abi.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const plrpc_host_v1* host;

static int add(void* data, plrpc_call* call, const char* args, size_t len) {
    char text[32];
    if (len >= sizeof text) {
        static const char why[] = "the argument is not an int64";
        host->reply_error(call, why, sizeof why - 1);
        return PLRPC_OK;
    }
    memcpy(text, args, len);
    text[len] = '\0';
    long long value = strtoll(text, NULL, 10) + (long long)(intptr_t)data;
    int n = snprintf(text, sizeof text, "%lld", value);
    return host->reply_json(call, text, (size_t)n);
}

/* The "methods" member of the config object, or `fallback`. */
static long methods_wanted(const char* config, size_t len, long fallback) {
    char text[256];
    if (len >= sizeof text) len = sizeof text - 1;
    memcpy(text, config, len);
    text[len] = '\0';
    const char* at = strstr(text, "\"methods\"");
    if (!at) return fallback;
    at = strchr(at, ':');
    return at ? strtol(at + 1, NULL, 10) : fallback;
}

static int init(const plrpc_host_v1* h, plrpc_registrar* reg, const char* config, size_t config_len, char* err,
                size_t err_cap) {
    host = h;
    long n = methods_wanted(config, config_len, 10);
    if (n < 1 || n > 1000000) {
        snprintf(err, err_cap, "methods must be 1 to 1000000, not %ld", n);
        return PLRPC_ERROR;
    }
    for (long i = 0; i < n; ++i) {
        char name[24];
        snprintf(name, sizeof name, "M%ld", i);
        plrpc_method_def def;
        memset(&def, 0, sizeof def);
        def.struct_size = sizeof def;
        def.service = "Many";
        def.method = name;
        def.args_schema = "{\"type\":\"integer\",\"format\":\"int64\"}";
        def.reply_schema = "{\"type\":\"integer\",\"format\":\"int64\"}";
        def.handler = add;
        def.method_data = (void*)(intptr_t)i;
        int rc = h->register_method(reg, &def);
        if (rc != PLRPC_OK) {
            snprintf(err, err_cap, "registering Many.%s failed", name);
            return rc;
        }
    }
    return PLRPC_OK;
}

PLRPC_EXPORT const plrpc_plugin_v1 plugrpc_plugin_v1 = {
    PLRPC_MAGIC, PLRPC_ABI_MAJOR, PLRPC_ABI_MINOR, sizeof(plrpc_plugin_v1), "many", "1.0.0",
    "Test service: as many methods as [plugin.many] methods asks for",
    init, NULL,
};
