/* Helpers: a test plugin in plain C, with no JSON of its own: Helpers.Echo
 * reads its argument's fields with arg_double and arg_string and answers
 * them with set_double and set_string, which are exact for any double and
 * any bytes (abi.h, "Values as text"). */
#include <plugrpc/abi.h>

#include <string.h>

static const plrpc_host_v1* host;

static const char kValue[] = "{\"type\":\"object\",\"title\":\"Value\",\"properties\":{"
                             "\"F\":{\"type\":\"number\",\"format\":\"double\"},"
                             "\"S\":{\"type\":\"string\"}}}";

static int echo(void* data, plrpc_call* call, const char* args, size_t len) {
    (void)data, (void)args, (void)len;
    double f = 0;
    const char* s = NULL;
    size_t n = 0;
    if (host->arg_double(call, "F", &f) != PLRPC_OK || host->arg_string(call, "S", &s, &n) != PLRPC_OK)
        return host->reply_error(call, "helpers: missing F or S", 23);
    host->set_double(call, "F", f);
    host->set_string(call, "S", s, n);
    return host->reply_fields(call);
}

static int init(const plrpc_host_v1* h, plrpc_registrar* reg, const char* config, size_t config_len, char* err,
                size_t err_cap) {
    (void)config, (void)config_len, (void)err, (void)err_cap;
    host = h;
    plrpc_method_def def;
    memset(&def, 0, sizeof def);
    def.struct_size = sizeof def;
    def.service = "Helpers";
    def.method = "Echo";
    def.args_schema = kValue;
    def.reply_schema = kValue;
    def.handler = echo;
    return host->register_method(reg, &def);
}

static void shutdown_plugin(void* state) { (void)state; }

PLRPC_EXPORT const plrpc_plugin_v1 plugrpc_plugin_v1 = {
    PLRPC_MAGIC, PLRPC_ABI_MAJOR, PLRPC_ABI_MINOR, sizeof(plrpc_plugin_v1),
    "helpers", "1.0.0", "Test service: Helpers.Echo answers with the host's argument and reply helpers",
    init, shutdown_plugin,
};
