/* Legacy: a test plugin in plain C that declares ABI 1.1, as a plugin
 * built before 1.2 does, so the host gives it standard JSON (abi.h,
 * "Values as text"). Legacy.Echo answers with the argument text it was
 * given, so a caller sees exactly that text. */
#include <plugrpc/abi.h>

#include <string.h>

static const plrpc_host_v1* host;

static const char kValues[] = "{\"type\":\"object\",\"title\":\"Values\",\"properties\":{"
                              "\"F\":{\"type\":\"number\",\"format\":\"double\"},"
                              "\"S\":{\"type\":\"string\"},"
                              "\"List\":{\"type\":\"array\",\"items\":{\"type\":\"number\",\"format\":\"double\"}}}}";

static int echo(void* data, plrpc_call* call, const char* args, size_t len) {
    (void)data;
    return host->reply_json(call, args, len);
}

static int init(const plrpc_host_v1* h, plrpc_registrar* reg, const char* config, size_t config_len, char* err,
                size_t err_cap) {
    (void)config, (void)config_len, (void)err, (void)err_cap;
    host = h;
    plrpc_method_def def;
    memset(&def, 0, sizeof def);
    def.struct_size = sizeof def;
    def.service = "Legacy";
    def.method = "Echo";
    def.args_schema = kValues;
    def.reply_schema = kValues;
    def.handler = echo;
    return host->register_method(reg, &def);
}

static void shutdown_plugin(void* state) { (void)state; }

PLRPC_EXPORT const plrpc_plugin_v1 plugrpc_plugin_v1 = {
    PLRPC_MAGIC, PLRPC_ABI_MAJOR, 1 /* built before ABI 1.2 */, sizeof(plrpc_plugin_v1),
    "legacy", "1.0.0", "Test service: Legacy.Echo, ABI 1.1, answers with its argument text",
    init, shutdown_plugin,
};
