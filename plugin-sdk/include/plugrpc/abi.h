/*
 * plugrpc plugin ABI — the whole contract between plugrpcd and a plugin.
 *
 * A plugin is a shared object that exports one data symbol,
 *
 *     const plrpc_plugin_v1 plugrpc_plugin_v1;
 *
 * (see PLRPC_ENTRY_SYMBOL). The host reads that block *before* it runs any
 * plugin function: it checks `magic`, `abi_major` and `struct_size`, and only
 * then calls `init`, handing over a table of host functions. `init`
 * registers methods through that table. Nothing C++ crosses this boundary:
 * values are JSON text (see "Values as text"), strings are (pointer, length) pairs, errors are
 * return codes. A plugin written in C, or any language with a C FFI, loads.
 *
 * Compatibility rules
 *   - abi_major changes only when an existing field changes meaning; the host
 *     refuses a plugin of another major version.
 *   - abi_minor grows when fields are appended. Every struct that may grow
 *     starts with `struct_size`; a reader only touches fields that lie below
 *     the size the writer stated.
 *
 * Threads: a method handler may be called from several threads at once.
 * A call completes exactly once, by plrpc_host_v1.reply_json /
 * reply_error / reply_fields, from any thread, during the handler or later
 * (return PLRPC_PENDING to answer later).
 *
 * Values as text: an argument (`args_json`), a reply (reply_json), the
 * plugin's config are JSON text, and every value a Go client can send over
 * gob crosses unchanged. Where JSON cannot say a value, the text is
 * extended, for plugins whose plrpc_plugin_v1.abi_minor is 2 or more
 * (this header's PLRPC_ABI_MINOR; the C++ SDK reads and writes it):
 *   - a float that is not finite is a bare token: NaN, Infinity, -Infinity
 *     (a NaN's sign and payload are not kept: it comes back as the quiet
 *     NaN 0x7ff8000000000000);
 *   - -0 is written -0.0 (JSON's -0 is commonly read as the integer 0);
 *   - a string holds bytes, as Go's do: a byte that is not part of valid
 *     UTF-8 (a stray 0x80..0xff, an overlong form, an encoded surrogate,
 *     a cut sequence) is written as the lone surrogate escape \udcXX for
 *     byte 0xXX, \udc80..\udcff (Python's "surrogateescape"). Valid UTF-8
 *     never produces a lone surrogate, so the mapping is exact both ways;
 *     map keys too. (An error text, reply_error's, is bytes as it is.)
 * The host writes exactly that form, reads it (and raw bytes that are not
 * UTF-8) in replies from every plugin, and gives a plugin of ABI minor 0
 * or 1 standard JSON as before: an argument holding NaN or an infinity is
 * refused before its handler runs ("invalid params", naming the field),
 * and a byte that is not UTF-8 reaches it as U+FFFD.
 * The helpers are exact for every plugin: arg_string gives the string's
 * bytes, arg_double any double; set_string and set_double take any bytes
 * and any double (NaN, infinities, -0).
 *
 * A call's lifetime: a call ends exactly once — answered by the plugin;
 * failed by the host (the handler returned anything but PLRPC_PENDING
 * without answering, or threw); timed out (the daemon's call_timeout); or
 * cancelled (the daemon stops, or the caller went away: an HTTP client
 * closed or reset its connection while it waited for the response, or a
 * gob or JSON-RPC stream was reset or could not be written to; a stream
 * that only shut down its sending side still waits for its answers, as
 * with Go's server). After that, every host function given its
 * handle returns PLRPC_INVALID (call_cancelled returns 1) and does nothing,
 * whenever and from whichever thread it is called: a handle is checked, not
 * trusted, so answering twice or late is refused, never a crash. What the
 * call lent the plugin — `args_json`, strings from arg_string — stays
 * valid while the handler runs and, after it returned PLRPC_PENDING, until
 * the call ends: a plugin that answers later from its own thread copies
 * what it still needs before it may be cancelled (or checks call_cancelled
 * and stops using them once it returns 1).
 */
#ifndef PLUGRPC_ABI_H
#define PLUGRPC_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PLRPC_MAGIC 0x43505250u /* "PRPC" little-endian */
#define PLRPC_ABI_MAJOR 1
#define PLRPC_ABI_MINOR 2 /* 2: the extended text form ("Values as text") */
#define PLRPC_ENTRY_SYMBOL "plugrpc_plugin_v1"

#if defined(__GNUC__)
#define PLRPC_EXPORT __attribute__((visibility("default")))
#else
#define PLRPC_EXPORT
#endif

/* Return codes of host functions, handlers and init. */
typedef enum plrpc_status {
    PLRPC_OK = 0,
    PLRPC_ERROR = 1,      /* generic failure; see the logged or replied text */
    PLRPC_PENDING = 2,    /* handler: the reply will come later */
    PLRPC_NOT_FOUND = 3,  /* argument helper: no such field */
    PLRPC_WRONG_TYPE = 4, /* argument helper: field has another type */
    PLRPC_INVALID = 5     /* bad argument to a host function */
} plrpc_status;

/* Log levels for plrpc_host_v1.log. */
enum { PLRPC_LOG_DEBUG = 0, PLRPC_LOG_INFO = 1, PLRPC_LOG_WARN = 2, PLRPC_LOG_ERROR = 3 };

/* Method flags. */
enum {
    /* The handler may block (I/O, sleeps, locks held long): the host runs it
     * on a worker pool, never on a network thread. */
    PLRPC_METHOD_BLOCKING = 1u << 0
};

/* Opaque handles owned by the host. */
typedef struct plrpc_registrar plrpc_registrar; /* valid during init only */
typedef struct plrpc_call plrpc_call;           /* a handle: refused once the call has ended */

/* A method handler. `args_json` is the argument value, already checked
 * against the method's argument schema (missing fields zero, unknown ones
 * dropped), not NUL-terminated. Returns PLRPC_OK after answering `call`, or
 * PLRPC_PENDING if it will answer later. Any other return, or PLRPC_OK
 * without an answer, becomes an internal error reply; so does a C++
 * exception a handler lets escape (the host catches it, names the method,
 * and serves on). */
typedef int (*plrpc_handler_fn)(void* method_data, plrpc_call* call, const char* args_json,
                                size_t args_len);

/* One method, handed to plrpc_host_v1.register_method. The host copies every
 * string before returning. */
typedef struct plrpc_method_def {
    uint32_t struct_size;      /* sizeof(plrpc_method_def) as the plugin knows it */
    const char* service;       /* "Arith" */
    const char* method;        /* "Multiply" */
    const char* args_schema;   /* JSON schema of the argument (see README, "Schemas") */
    const char* reply_schema;  /* JSON schema of the reply */
    uint32_t flags;            /* PLRPC_METHOD_* */
    plrpc_handler_fn handler;
    void* method_data;         /* passed back to the handler */
} plrpc_method_def;

/* Functions the host offers. Appended to only; check struct_size. */
typedef struct plrpc_host_v1 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* --- during init --- */
    int (*register_method)(plrpc_registrar* reg, const plrpc_method_def* def);
    /* Per-plugin state; handed to `shutdown` when the plugin is unloaded. */
    void (*set_plugin_state)(plrpc_registrar* reg, void* state);

    /* --- any time --- */
    void (*log)(int level, const char* msg, size_t len);

    /* --- answering a call (exactly one of these, exactly once) --- */
    int (*reply_json)(plrpc_call* call, const char* json, size_t len);
    int (*reply_error)(plrpc_call* call, const char* msg, size_t len);

    /* --- helpers for plugins without a JSON library --- */
    /* Read a top-level field of the argument object. */
    int (*arg_int)(plrpc_call* call, const char* field, int64_t* out);
    int (*arg_uint)(plrpc_call* call, const char* field, uint64_t* out);
    int (*arg_double)(plrpc_call* call, const char* field, double* out);
    int (*arg_bool)(plrpc_call* call, const char* field, int* out);
    /* The string stays valid until the call is answered. */
    int (*arg_string)(plrpc_call* call, const char* field, const char** out, size_t* len);
    /* Build an object reply field by field, then send it with reply_fields.
     * With field == NULL the value is the whole (scalar) reply. */
    int (*set_int)(plrpc_call* call, const char* field, int64_t value);
    int (*set_uint)(plrpc_call* call, const char* field, uint64_t value);
    int (*set_double)(plrpc_call* call, const char* field, double value);
    int (*set_bool)(plrpc_call* call, const char* field, int value);
    int (*set_string)(plrpc_call* call, const char* field, const char* s, size_t len);
    int (*reply_fields)(plrpc_call* call);

    /* --- ABI 1.1: a call's lifetime (check struct_size before use) --- */
    /* The time left before the call's deadline, in nanoseconds, into
     * *remaining_ns: 0 once it has passed, INT64_MAX when the call has no
     * deadline. PLRPC_INVALID when the call has ended. */
    int (*call_remaining)(plrpc_call* call, int64_t* remaining_ns);
    /* 0 while the call waits for the plugin's answer; 1 once it has ended
     * (timed out, cancelled because the daemon stops or the caller went
     * away, failed, or answered): a plugin working on it may stop, since
     * its answer would be refused. */
    int (*call_cancelled)(plrpc_call* call);
} plrpc_host_v1;

/* The size of plrpc_host_v1 in ABI 1.0: a plugin built against 1.1 that
 * also runs on a 1.0 host checks host->struct_size against this before
 * calling call_remaining or call_cancelled. */
#define PLRPC_HOST_V1_0_SIZE (offsetof(plrpc_host_v1, call_remaining))

/* The block a plugin exports under PLRPC_ENTRY_SYMBOL. */
typedef struct plrpc_plugin_v1 {
    uint32_t magic;            /* PLRPC_MAGIC */
    uint16_t abi_major;        /* PLRPC_ABI_MAJOR the plugin was built with */
    uint16_t abi_minor;
    uint32_t struct_size;      /* sizeof(plrpc_plugin_v1) as the plugin knows it */
    const char* name;          /* "arith": also selects the [plugin.<name>] config table */
    const char* version;       /* "1.0.0" */
    const char* description;
    /* Register methods. `config_json` is the [plugin.<name>] table as JSON
     * ("{}" when absent). Return PLRPC_OK, or PLRPC_ERROR with a message in
     * err (NUL-terminated, at most err_cap bytes). */
    int (*init)(const plrpc_host_v1* host, plrpc_registrar* reg, const char* config_json,
                size_t config_len, char* err, size_t err_cap);
    /* Called once when the plugin is unloaded, after its last call. May be NULL. */
    void (*shutdown)(void* plugin_state);
} plrpc_plugin_v1;

#ifdef __cplusplus
}
#endif

#endif /* PLUGRPC_ABI_H */
