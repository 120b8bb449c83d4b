/* Later: a test plugin in plain C whose method answers from a thread of its
 * own after the handler has returned PLRPC_PENDING. The integration tests
 * remove it while such an answer is on its way: the host must not unload
 * it on that thread (its code would be unmapped under it). Its shutdown
 * joins every thread it started, as a careful plugin does. */
#include <plugrpc/abi.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS 64

static const plrpc_host_v1* host;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t threads[MAX_THREADS];
static int nthreads;

struct job {
    plrpc_call* call;
    long long millis;
};

static void* answer(void* arg) {
    struct job* j = arg;
    struct timespec ts = {j->millis / 1000, (j->millis % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    char reply[32];
    int n = snprintf(reply, sizeof reply, "%lld", j->millis);
    host->reply_json(j->call, reply, (size_t)n);
    free(j);
    return NULL;
}

/* Later.Echo({Millis}) replies Millis after Millis milliseconds (at most 5 s). */
static int echo(void* data, plrpc_call* call, const char* args, size_t len) {
    (void)data, (void)args, (void)len;
    int64_t millis = 0;
    if (host->arg_int(call, "Millis", &millis) != PLRPC_OK || millis < 0 || millis > 5000) {
        static const char why[] = "Millis must be 0 to 5000";
        host->reply_error(call, why, sizeof why - 1);
        return PLRPC_OK;
    }
    struct job* j = malloc(sizeof *j);
    if (!j) return PLRPC_ERROR;
    j->call = call;
    j->millis = millis;
    pthread_mutex_lock(&lock);
    int started = nthreads < MAX_THREADS && pthread_create(&threads[nthreads], NULL, answer, j) == 0;
    if (started) ++nthreads;
    pthread_mutex_unlock(&lock);
    if (!started) {
        free(j);
        return PLRPC_ERROR;
    }
    return PLRPC_PENDING;
}

static int init(const plrpc_host_v1* h, plrpc_registrar* reg, const char* config, size_t config_len, char* err,
                size_t err_cap) {
    (void)config, (void)config_len, (void)err, (void)err_cap;
    host = h;
    plrpc_method_def def;
    memset(&def, 0, sizeof def);
    def.struct_size = sizeof def;
    def.service = "Later";
    def.method = "Echo";
    def.args_schema = "{\"type\":\"object\",\"title\":\"EchoArgs\",\"properties\":{"
                      "\"Millis\":{\"type\":\"integer\",\"format\":\"int64\"}}}";
    def.reply_schema = "{\"type\":\"integer\",\"format\":\"int64\"}";
    def.handler = echo;
    return h->register_method(reg, &def);
}

static void shutdown_plugin(void* state) {
    (void)state;
    pthread_mutex_lock(&lock);
    int n = nthreads;
    nthreads = 0;
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < n; ++i) pthread_join(threads[i], NULL);
}

PLRPC_EXPORT const plrpc_plugin_v1 plugrpc_plugin_v1 = {
    PLRPC_MAGIC, PLRPC_ABI_MAJOR, PLRPC_ABI_MINOR, sizeof(plrpc_plugin_v1),
    "later", "1.0.0", "Test service: Later.Echo answers from a thread of its own",
    init, shutdown_plugin,
};
