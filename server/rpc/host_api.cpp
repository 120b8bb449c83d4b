// The host side of the plugin ABI: the functions in plrpc_host_v1.
// Everything a plugin hands us is checked before use: a call handle too
// (call_table.hpp), so an answer or helper on a call that has ended is
// refused with PLRPC_INVALID, from any thread, at any time.
#include "server/plugin/registrar.hpp"
#include "server/rpc/call.hpp"
#include "server/rpc/call_table.hpp"
#include "server/rpc/dispatcher.hpp"
#include "wire/number_literals.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <plugrpc/json_parse.hpp>
#include <plugrpc/json_parse_extended.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>
#include <thread>

namespace plugrpc {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxName = 256;

// The open call a handle names, held for the life of this object; empty
// when the handle names none. The handler's own thread, answering its own
// call, uses the handler's reference.
class CallRef {
public:
    explicit CallRef(plrpc_call* handle) {
        if (!handle) return;
        Call* running = call_table::t_running;
        if (running && running->handle == handle) {
            if (call_table::is_open(running)) call_ = running;
            return;
        }
        call_ = call_table::acquire(handle);
        owned_ = call_ != nullptr;
    }
    ~CallRef() {
        if (owned_) call_table::release(call_);
    }
    CallRef(const CallRef&) = delete;
    CallRef& operator=(const CallRef&) = delete;
    explicit operator bool() const { return call_ != nullptr; }
    Call* operator->() const { return call_; }
    Call* get() const { return call_; }

private:
    Call* call_ = nullptr;
    bool owned_ = false;
};

// The state the argument and reply helpers build in a call, for one thread
// at a time.
class HelperLock {
public:
    explicit HelperLock(Call* c) : c_(c) {
        while (c_->helpers_busy.exchange(true, std::memory_order_acquire)) std::this_thread::yield();
    }
    ~HelperLock() { c_->helpers_busy.store(false, std::memory_order_release); }
    HelperLock(const HelperLock&) = delete;
    HelperLock& operator=(const HelperLock&) = delete;

private:
    Call* c_;
};

int answer(Call* call, Outcome&& o) { return Dispatcher::finish(call, std::move(o)) ? PLRPC_OK : PLRPC_INVALID; }
constexpr std::size_t kMaxReplyBytes = 64u << 20;

bool valid_name(const char* s, bool allow_dots) {
    if (!s) return false;
    std::size_t n = strnlen(s, kMaxName + 1);
    if (n == 0 || n > kMaxName) return false;
    for (std::size_t i = 0; i < n; ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        bool ok = std::isalnum(c) || c == '_' || (allow_dots && c == '.');
        if (!ok) return false;
    }
    return !(allow_dots && (s[0] == '.' || s[n - 1] == '.'));
}

int register_method(plrpc_registrar* reg, const plrpc_method_def* def) {
    if (!reg || !reg->plugin) return PLRPC_INVALID;
    auto refuse = [&](std::string why) {
        if (reg->error.empty()) reg->error = std::move(why);
        return PLRPC_INVALID;
    };
    if (!def || def->struct_size < offsetof(plrpc_method_def, method_data) + sizeof(void*))
        return refuse("register_method: method definition too small for ABI 1");
    if (!valid_name(def->service, true))
        return refuse("register_method: invalid service name (letters, digits, '_' and inner dots)");
    if (!valid_name(def->method, false))
        return refuse(std::string("register_method: invalid method name for service ") + def->service);
    Method m;
    m.service = def->service;
    m.name = def->method;
    m.full_name = m.service + "." + m.name;
    if (!def->handler) return refuse(m.full_name + ": no handler");
    if (!def->args_schema || !def->reply_schema) return refuse(m.full_name + ": missing schema");
    m.args_schema_text = std::string(def->args_schema, strnlen(def->args_schema, 1 << 20));
    m.reply_schema_text = std::string(def->reply_schema, strnlen(def->reply_schema, 1 << 20));
    auto args = parse_schema(m.args_schema_text);
    if (!args.schema) return refuse(m.full_name + ": argument schema: " + args.error);
    auto reply = parse_schema(m.reply_schema_text);
    if (!reply.schema) return refuse(m.full_name + ": reply schema: " + reply.error);
    m.args = args.schema;
    m.reply = reply.schema;
    m.flags = def->flags;
    m.args_form = reg->plugin->text_form;
    m.handler = def->handler;
    m.method_data = def->method_data;
    if (!reg->names.insert(m.full_name).second) return refuse(m.full_name + ": registered twice");
    reg->plugin->methods.push_back(std::move(m));
    return PLRPC_OK;
}

void set_plugin_state(plrpc_registrar* reg, void* state) {
    if (reg) reg->state = state;
}

void log(int level, const char* msg, size_t len) {
    if (!msg) return;
    std::string_view text(msg, std::min<std::size_t>(len, 4096));
    auto lvl = level <= PLRPC_LOG_DEBUG ? spdlog::level::debug
               : level == PLRPC_LOG_INFO ? spdlog::level::info
               : level == PLRPC_LOG_WARN ? spdlog::level::warn
                                         : spdlog::level::err;
    spdlog::log(lvl, "plugin: {}", text);
}

// An integer reply given as plain decimal digits ("56", "-7"), read without
// the JSON parser; false (nothing done) for anything else, which takes the
// general path and its checks.
bool integer_reply(const Schema& schema, std::string_view text, json::value& out) {
    if ((schema.kind != Kind::Int && schema.kind != Kind::Uint) || text.empty() || text.size() > 20) return false;
    std::size_t digits = text[0] == '-' ? 1 : 0;
    if (text.size() > digits + 1 && text[digits] == '0') return false; // JSON has no leading zeros
    const char* end = text.data() + text.size();
    if (schema.kind == Kind::Int) {
        std::int64_t i = 0;
        auto r = std::from_chars(text.data(), end, i);
        if (r.ec != std::errc() || r.ptr != end) return false;
        if (schema.bits < 64 && (i > (std::int64_t(1) << (schema.bits - 1)) - 1 || i < -(std::int64_t(1) << (schema.bits - 1))))
            return false;
        out = i;
        return true;
    }
    std::uint64_t u = 0;
    auto r = std::from_chars(text.data(), end, u);
    if (r.ec != std::errc() || r.ptr != end || text[0] == '-') return false;
    if (schema.bits < 64 && u > (std::uint64_t(1) << schema.bits) - 1) return false;
    out = u;
    return true;
}

// A plugin's reply value checked against its method's reply schema: the
// normalized result, or an internal error naming the method. An integer
// in it is read as Go's encoding/json reads it, on its text when `v` was
// parsed from one (`literals`).
Outcome checked_reply(const Call& call, const json::value& v, const NumberLiterals* literals = nullptr) {
    Outcome o;
    NormalizeOptions opt;
    opt.exact_integers = false;
    opt.literals = literals;
    NormalizeResult n = normalize(v, *call.method->reply, opt);
    if (n.ok()) {
        o.result = std::move(n.value);
        if (call.method->reply->has_float32) o.float32_schema = call.method->reply;
    } else {
        o.kind = Outcome::Kind::Internal;
        o.error = call.method->full_name + ": the plugin's reply does not match its schema: " + n.error;
    }
    return o;
}

int reply_json(plrpc_call* handle, const char* text, size_t len) {
    CallRef call(handle);
    if (!call || !text) return PLRPC_INVALID;
    Outcome o;
    if (len > kMaxReplyBytes) {
        o.kind = Outcome::Kind::Internal;
        o.error = call->method->full_name + ": reply larger than " + std::to_string(kMaxReplyBytes) + " bytes";
        return answer(call.get(), std::move(o));
    }
    if (integer_reply(*call->method->reply, std::string_view(text, len), o.result))
        return answer(call.get(), std::move(o));
    json::parse_options opt;
    opt.max_depth = 2 * kMaxSchemaDepth;
    boost::system::error_code ec;
    // Parsed into stack memory: only its normalized copy outlives this call.
    unsigned char arena[4096];
    json::monotonic_resource mr(arena, sizeof arena);
    json::value v = plugrpc::parse_json(std::string_view(text, len), ec, &mr, opt);
    std::string why;
    if (ec) // NaN, infinities, bytes that are not UTF-8: the extended form (abi.h), read the slow way
        v = parse_extended_json(std::string_view(text, len), why, &mr, opt.max_depth);
    if (!why.empty()) {
        o.kind = Outcome::Kind::Internal;
        o.error = call->method->full_name + ": the plugin's reply is not valid JSON: " + why;
    } else {
        NumberLiterals literals(std::string_view(text, len), &v);
        o = checked_reply(*call.get(), v, &literals);
    }
    return answer(call.get(), std::move(o));
}

int reply_error(plrpc_call* handle, const char* msg, size_t len) {
    CallRef call(handle);
    if (!call) return PLRPC_INVALID;
    Outcome o;
    o.kind = Outcome::Kind::MethodError;
    o.error = msg ? std::string(msg, std::min<std::size_t>(len, 64 * 1024)) : std::string();
    if (o.error.empty()) o.error = "unspecified error";
    return answer(call.get(), std::move(o));
}

// ---- argument helpers -------------------------------------------------------

// The arguments as a value, parsed from their text on first use (with the
// call's HelperLock held).
const json::value& args_value(Call* call) {
    if (!call->args_built && !call->args_text.empty()) {
        boost::system::error_code ec;
        json::value v = plugrpc::parse_json(call->args_text, ec, call->args.storage());
        if (!ec) call->args = std::move(v);
    }
    call->args_built = true;
    return call->args;
}

// Read one field of an open call's arguments with `read(const json::value&)`.
template <class Read>
int with_arg(plrpc_call* handle, const char* field, Read read) {
    CallRef call(handle);
    if (!call || !field) return PLRPC_INVALID;
    HelperLock lock(call.get());
    const json::value& args = args_value(call.get());
    const json::value* v = args.is_object() ? args.get_object().if_contains(field) : nullptr;
    if (!v) return PLRPC_NOT_FOUND;
    return read(*v);
}

int arg_int(plrpc_call* call, const char* field, int64_t* out) {
    if (!out) return PLRPC_INVALID;
    return with_arg(call, field, [&](const json::value& v) -> int {
        if (v.is_int64()) return *out = v.get_int64(), PLRPC_OK;
        if (v.is_uint64() && v.get_uint64() <= INT64_MAX) return *out = int64_t(v.get_uint64()), PLRPC_OK;
        return int(PLRPC_WRONG_TYPE);
    });
}

int arg_uint(plrpc_call* call, const char* field, uint64_t* out) {
    if (!out) return PLRPC_INVALID;
    return with_arg(call, field, [&](const json::value& v) -> int {
        if (v.is_uint64()) return *out = v.get_uint64(), PLRPC_OK;
        if (v.is_int64() && v.get_int64() >= 0) return *out = uint64_t(v.get_int64()), PLRPC_OK;
        return int(PLRPC_WRONG_TYPE);
    });
}

int arg_double(plrpc_call* call, const char* field, double* out) {
    if (!out) return PLRPC_INVALID;
    return with_arg(call, field, [&](const json::value& v) -> int {
        if (!v.is_number()) return int(PLRPC_WRONG_TYPE);
        return *out = v.to_number<double>(), PLRPC_OK;
    });
}

int arg_bool(plrpc_call* call, const char* field, int* out) {
    if (!out) return PLRPC_INVALID;
    return with_arg(call, field, [&](const json::value& v) -> int {
        if (!v.is_bool()) return int(PLRPC_WRONG_TYPE);
        return *out = v.get_bool() ? 1 : 0, PLRPC_OK;
    });
}

int arg_string(plrpc_call* call, const char* field, const char** out, size_t* len) {
    if (!out || !len) return PLRPC_INVALID;
    return with_arg(call, field, [&](const json::value& v) -> int {
        if (!v.is_string()) return int(PLRPC_WRONG_TYPE);
        *out = v.get_string().data();
        *len = v.get_string().size();
        return int(PLRPC_OK);
    });
}

// ---- reply builders ---------------------------------------------------------

int set(plrpc_call* handle, const char* field, json::value v) {
    CallRef call(handle);
    if (!call) return PLRPC_INVALID;
    HelperLock lock(call.get());
    if (field) call->fields[field] = std::move(v);
    else call->scalar = std::move(v), call->has_scalar = true;
    return PLRPC_OK;
}
int set_int(plrpc_call* c, const char* f, int64_t v) { return set(c, f, v); }
int set_uint(plrpc_call* c, const char* f, uint64_t v) { return set(c, f, v); }
int set_double(plrpc_call* c, const char* f, double v) { return set(c, f, v); }
int set_bool(plrpc_call* c, const char* f, int v) { return set(c, f, v != 0); }
int set_string(plrpc_call* c, const char* f, const char* s, size_t len) {
    if (!s && len) return PLRPC_INVALID;
    return set(c, f, json::string(std::string_view(s ? s : "", len)));
}

int reply_fields(plrpc_call* handle) {
    CallRef call(handle);
    if (!call) return PLRPC_INVALID;
    json::value v;
    {
        HelperLock lock(call.get());
        v = call->has_scalar ? std::move(call->scalar) : json::value(std::move(call->fields));
    }
    return answer(call.get(), checked_reply(*call.get(), v));
}

// ---- a call's lifetime (ABI 1.1) ----------------------------------------------

int call_remaining(plrpc_call* handle, int64_t* remaining_ns) {
    CallRef call(handle);
    if (!call || !remaining_ns) return PLRPC_INVALID;
    auto left = Dispatcher::remaining(call.get());
    *remaining_ns = left == std::chrono::nanoseconds::max() ? INT64_MAX : left.count();
    return PLRPC_OK;
}

int call_cancelled(plrpc_call* handle) { return call_table::is_open(handle) ? 0 : 1; }

const plrpc_host_v1 kHost = {
    sizeof(plrpc_host_v1), PLRPC_ABI_MAJOR, PLRPC_ABI_MINOR,
    register_method, set_plugin_state, log,
    reply_json, reply_error,
    arg_int, arg_uint, arg_double, arg_bool, arg_string,
    set_int, set_uint, set_double, set_bool, set_string, reply_fields,
    call_remaining, call_cancelled,
};

} // namespace

const plrpc_host_v1* host_table() { return &kHost; }

} // namespace plugrpc
