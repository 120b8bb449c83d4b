// plugrpc C++ plugin SDK — header-only convenience over abi.h.
//
// A service is a type; a method is `plugrpc::Status M(const Args&, Reply&)`.
// Describe the argument and reply structs, and the service's methods, with
// Boost.Describe; names and JSON schemas are derived from them:
//
//     struct Args { std::int64_t A, B; };
//     BOOST_DESCRIBE_STRUCT(Args, (), (A, B))
//
//     struct Arith {
//         plugrpc::Status Multiply(const Args& args, std::int64_t& reply) {
//             reply = args.A * args.B;
//             return {};
//         }
//     };
//     BOOST_DESCRIBE_STRUCT(Arith, (), (Multiply))
//
//     PLUGRPC_PLUGIN("arith", "1.0.0", "Go's Arith example") {
//         plugin.add<Arith>();          // served as "Arith.Multiply"
//     }
//
// Supported member types: bool, signed and unsigned integers of every width,
// float, double, std::string, std::vector<std::uint8_t> (bytes), std::vector,
// std::array, std::map / std::unordered_map with string or integer keys,
// described structs, and boost::json::value for any JSON value (an argument
// of that type is JSON-RPC 2.0's params as sent; over gob it travels as a
// string of JSON text). An exception thrown by a method becomes an error reply.
#pragma once

#include <plugrpc/abi.h>
#include <plugrpc/json.hpp>
#include <plugrpc/json_write.hpp>

#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>

#include <charconv>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plugrpc {

// What a method returns: success (`return {};`) or an error whose text the
// caller sees verbatim.
class [[nodiscard]] Status {
public:
    Status() = default;
    bool ok() const { return !failed_; }
    const std::string& message() const { return message_; }
    friend Status Error(std::string message);

private:
    bool failed_ = false;
    std::string message_;
};

inline Status Error(std::string message) {
    Status s;
    s.failed_ = true;
    s.message_ = std::move(message);
    return s;
}

// Per-service registration options.
struct ServiceOptions {
    // `{}`: so that `{.blocking = {"M"}}` compiles without -Wmissing-field-initializers.
    std::string name{};                   // default: the type's name ("Arith")
    std::vector<std::string> blocking{};  // methods that may block: run off the I/O threads
};

class Plugin;

namespace detail {

template <class S>
struct Bound {
    const plrpc_host_v1* host;
    S* service;
};

inline void reply_error(const plrpc_host_v1* host, plrpc_call* call, std::string_view text) {
    host->reply_error(call, text.data(), text.size());
}

// The C handler for one method: JSON in, JSON out, no exception escapes.
template <class S, class A, class R, Status (S::*M)(const A&, R&)>
int handler(void* data, plrpc_call* call, const char* args, std::size_t len) noexcept {
    auto* b = static_cast<Bound<S>*>(data);
    try {
        A a{};
        std::string why;
        if (!json_parse_into(std::string_view(args, len), a, why)) {
            reply_error(b->host, call, "invalid params: " + why);
            return PLRPC_OK;
        }
        R r{};
        Status st = (b->service->*M)(a, r);
        if (!st.ok()) {
            reply_error(b->host, call, st.message());
            return PLRPC_OK;
        }
        if constexpr (std::is_integral_v<R> && !std::is_same_v<R, bool>) {
            // An integer is its decimal digits: no JSON value to build.
            char digits[24];
            char* end = std::to_chars(digits, digits + sizeof digits, r).ptr;
            b->host->reply_json(call, digits, static_cast<std::size_t>(end - digits));
            return PLRPC_OK;
        }
        // The reply value from stack memory, its text in a string of the
        // call's own. Not a thread_local buffer: a plugin's thread-local
        // storage outlives the plugin on threads the host keeps after
        // unloading it, and LeakSanitizer's scan of it at exit crashes.
        unsigned char arena[2048];
        boost::json::monotonic_resource mr(arena, sizeof arena);
        boost::json::value v = to_json(r, &mr);
        std::string text;
        append_json_text(text, v, TextForm::Extended);
        b->host->reply_json(call, text.data(), text.size());
    } catch (const std::exception& e) {
        reply_error(b->host, call, e.what());
    } catch (...) {
        reply_error(b->host, call, "method threw an exception");
    }
    return PLRPC_OK;
}

template <class T>
struct method_traits;
template <class S, class A, class R>
struct method_traits<Status (S::*)(const A&, R&)> {
    using service = S;
    using args = A;
    using reply = R;
};

} // namespace detail

// Handed to the PLUGRPC_PLUGIN body: register services, read config, log.
class Plugin {
public:
    Plugin(const plrpc_host_v1* host, plrpc_registrar* reg, boost::json::object config)
        : host_(host), reg_(reg), config_(std::move(config)) {}
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    // The [plugin.<name>] table of the daemon's config.
    const boost::json::object& config() const { return config_; }

    void log(int level, std::string_view msg) const { host_->log(level, msg.data(), msg.size()); }

    // Serve every described public method of S on a default-constructed S.
    template <class S>
    void add(ServiceOptions opt = {}) {
        add(std::make_unique<S>(), std::move(opt));
    }

    // Serve every described public method of an S the plugin built itself.
    template <class S>
    void add(std::unique_ptr<S> service, ServiceOptions opt = {}) {
        if (opt.name.empty()) opt.name = type_name<S>();
        auto bound = std::make_unique<detail::Bound<S>>(detail::Bound<S>{host_, service.get()});
        using Methods = boost::describe::describe_members<S, boost::describe::mod_public |
                                                                 boost::describe::mod_function>;
        boost::mp11::mp_for_each<Methods>([&](auto D) {
            using Traits = detail::method_traits<std::remove_cv_t<decltype(D.pointer)>>;
            using A = typename Traits::args;
            using R = typename Traits::reply;
            std::string args_schema = boost::json::serialize(schema_of<A>());
            std::string reply_schema = boost::json::serialize(schema_of<R>());
            plrpc_method_def def{};
            def.struct_size = sizeof def;
            def.service = opt.name.c_str();
            def.method = D.name;
            def.args_schema = args_schema.c_str();
            def.reply_schema = reply_schema.c_str();
            for (const auto& m : opt.blocking)
                if (m == D.name) def.flags |= PLRPC_METHOD_BLOCKING;
            def.handler = &detail::handler<S, A, R, D.pointer>;
            def.method_data = bound.get();
            if (host_->register_method(reg_, &def) != PLRPC_OK)
                failed_ = true;
        });
        keep_.push_back(std::shared_ptr<void>(std::move(service)));
        keep_.push_back(std::shared_ptr<void>(std::move(bound)));
    }

    bool failed() const { return failed_; }

private:
    const plrpc_host_v1* host_;
    plrpc_registrar* reg_;
    boost::json::object config_;
    std::vector<std::shared_ptr<void>> keep_; // services and their bindings
    bool failed_ = false;
};

namespace detail {

template <void (*Body)(Plugin&)>
int init(const plrpc_host_v1* host, plrpc_registrar* reg, const char* config, std::size_t len,
         char* err, std::size_t cap) noexcept {
    auto fail = [&](std::string_view why) {
        if (cap == 0) return PLRPC_ERROR;
        std::size_t n = why.size() < cap - 1 ? why.size() : cap - 1;
        std::memcpy(err, why.data(), n);
        err[n] = '\0';
        return PLRPC_ERROR;
    };
    if (host->struct_size < PLRPC_HOST_V1_0_SIZE || host->abi_major != PLRPC_ABI_MAJOR)
        return fail("host ABI is older than this plugin's");
    try {
        boost::system::error_code ec;
        boost::json::value cfg = boost::json::parse(std::string_view(config, len), ec);
        if (ec || !cfg.is_object()) return fail("plugin config is not a JSON object");
        auto plugin = std::make_unique<Plugin>(host, reg, std::move(cfg.get_object()));
        Body(*plugin);
        if (plugin->failed()) return fail("the host refused a method (see its log)");
        host->set_plugin_state(reg, plugin.release());
        return PLRPC_OK;
    } catch (const std::exception& e) {
        return fail(e.what());
    } catch (...) {
        return fail("init threw an exception");
    }
}

inline void shutdown(void* state) noexcept { delete static_cast<Plugin*>(state); }

} // namespace detail
} // namespace plugrpc

// Define the plugin: its name (also the [plugin.<name>] config table), its
// version, a one-line description, and a body that registers services
// through `plugin`.
#define PLUGRPC_PLUGIN(NAME, VERSION, DESCRIPTION)                                          \
    static void plugrpc_plugin_body(::plugrpc::Plugin& plugin);                             \
    extern "C" PLRPC_EXPORT const plrpc_plugin_v1 plugrpc_plugin_v1 = {                     \
        PLRPC_MAGIC,        PLRPC_ABI_MAJOR,                                                \
        PLRPC_ABI_MINOR,    sizeof(plrpc_plugin_v1),                                        \
        NAME,               VERSION,                                                        \
        DESCRIPTION,        &::plugrpc::detail::init<&plugrpc_plugin_body>,                 \
        &::plugrpc::detail::shutdown};                                                      \
    static void plugrpc_plugin_body([[maybe_unused]] ::plugrpc::Plugin& plugin)
