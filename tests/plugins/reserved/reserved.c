/* Reserved: a test plugin in plain C that registers Reserved.Ping and
 * rpc.discover. JSON-RPC 2.0 reserves method names beginning with "rpc."
 * (the daemon answers rpc.discover itself), so the daemon refuses this
 * plugin whole, naming its file, and serves the others. */
#include <plugrpc/abi.h>

#include <string.h>

static const plrpc_host_v1* host;

static int ping(void* data, plrpc_call* call, const char* args, size_t len) {
    (void)data, (void)args, (void)len;
    static const char reply[] = "\"pong\"";
    return host->reply_json(call, reply, sizeof reply - 1);
}

static int add(plrpc_registrar* reg, const char* service, const char* method) {
    plrpc_method_def def;
    memset(&def, 0, sizeof def);
    def.struct_size = sizeof def;
    def.service = service;
    def.method = method;
    def.args_schema = "{\"type\":\"object\",\"title\":\"Empty\",\"properties\":{}}";
    def.reply_schema = "{\"type\":\"string\"}";
    def.handler = ping;
    return host->register_method(reg, &def);
}

static int init(const plrpc_host_v1* h, plrpc_registrar* reg, const char* config, size_t config_len, char* err,
                size_t err_cap) {
    (void)config, (void)config_len, (void)err, (void)err_cap;
    host = h;
    int rc = add(reg, "Reserved", "Ping");
    if (rc != PLRPC_OK) return rc;
    return add(reg, "rpc", "discover");
}

static void shutdown_plugin(void* state) { (void)state; }

PLRPC_EXPORT const plrpc_plugin_v1 plugrpc_plugin_v1 = {
    PLRPC_MAGIC, PLRPC_ABI_MAJOR, PLRPC_ABI_MINOR, sizeof(plrpc_plugin_v1),
    "reserved", "1.0.0", "Test plugin: registers rpc.discover, which JSON-RPC 2.0 reserves",
    init, shutdown_plugin,
};
