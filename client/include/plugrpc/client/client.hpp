// plugrpc's C++ client: Go's rpc.Client for plugrpcd (and Go servers).
//
//     #include <plugrpc/client.hpp>
//
//     struct Args { std::int64_t A, B; };
//     BOOST_DESCRIBE_STRUCT(Args, (), (A, B))          // the plugin's own struct
//
//     auto c = plugrpc::client::Client::connect("127.0.0.1:1234");   // or "unix:/run/p.sock"
//     if (!c) return fail(c.error().message);
//     auto r = c->call<std::int64_t>("Arith.Multiply", Args{7, 8});   // 56, or an Error
//
//     c->call_async<std::int64_t>("Arith.Multiply", Args{1, 2},
//                                 [](plugrpc::client::Result<std::int64_t> r) { ... });
//     std::future<Result<std::int64_t>> f = c->call_future<std::int64_t>("Arith.Multiply", Args{3, 4});
//
// One connection per Client, one background I/O thread. Calls may be made
// from any thread and any number may be in flight (Options::max_inflight);
// replies are matched by sequence number, as in Go. Arguments and replies
// are the SDK's types (plugrpc/json.hpp): described structs, integers,
// strings, vectors, maps...
//
// Callbacks run on the I/O thread: keep them short, and do not make a
// synchronous call from one (it fails with a Usage error instead of
// deadlocking). An exception thrown by a callback is caught and dropped.
//
// When the connection drops, the calls waiting fail with a Transport error
// and later calls with Shutdown ("connection is shut down"); close() fails
// the calls waiting with Shutdown. Nothing reconnects by itself.
//
// An etcd:// target (`connect("etcd://127.0.0.1:2379/plugrpc/services/Arith")`)
// is every plugrpcd registered there ([registry] of plugrpcd.toml): one
// connection to each, calls to the one with the fewest in flight (in turn
// when equal), the daemons read again every Options::resolve_interval, and
// a call whose daemon's connection had closed before it was sent goes to
// another. A call once sent is never sent again (see client/src/balancer.hpp).
#pragma once

#include <plugrpc/client/error.hpp>
#include <plugrpc/client/options.hpp>
#include <plugrpc/json.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace plugrpc {
struct Schema; // a parsed type description (wire/schema.hpp), opaque here
} // namespace plugrpc

namespace plugrpc::client {

using SchemaHandle = std::shared_ptr<const plugrpc::Schema>;

// Parses a JSON schema as plugins register them and rpc.discover shows
// them; a Usage error when it is not one.
Result<SchemaHandle> compile_schema(const boost::json::value& json_schema);

// The compiled schema of a C++ type, made once per type.
template <class T>
const Result<SchemaHandle>& schema_handle() {
    static const Result<SchemaHandle> handle = compile_schema(plugrpc::schema_of<T>());
    return handle;
}

// The argument and reply types of an untyped call. Gob needs the argument's
// (it is encoded by it); a reply type left null reads the reply as the
// server describes it (gob sends its type definitions); JSON uses none.
struct CallTypes {
    SchemaHandle args;
    SchemaHandle reply;
};

using JsonCallback = std::function<void(Result<boost::json::value>)>;

class Client {
public:
    // Connects to `address` (see parse_address, or an etcd:// target) and,
    // for GobHttp, does the CONNECT handshake. A Transport error when it cannot.
    static Result<Client> connect(std::string_view address, Options options = {});

    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;
    ~Client(); // close()

    // --- typed calls ---------------------------------------------------------

    template <class Reply, class Args>
    void call_async(std::string_view method, const Args& args, std::function<void(Result<Reply>)> done,
                    std::chrono::milliseconds timeout = kDefaultTimeout) {
        auto types = typed<Args, Reply>();
        if (!types) return done(types.error());
        call_json_async(method, plugrpc::to_json(args), &*types,
                        [done = std::move(done)](Result<boost::json::value> r) { done(convert<Reply>(std::move(r))); },
                        timeout);
    }

    template <class Reply, class Args>
    std::future<Result<Reply>> call_future(std::string_view method, const Args& args,
                                           std::chrono::milliseconds timeout = kDefaultTimeout) {
        auto promise = std::make_shared<std::promise<Result<Reply>>>();
        auto future = promise->get_future();
        call_async<Reply>(method, args, [promise](Result<Reply> r) { promise->set_value(std::move(r)); }, timeout);
        return future;
    }

    // Waits for the reply (or the timeout).
    template <class Reply, class Args>
    Result<Reply> call(std::string_view method, const Args& args, std::chrono::milliseconds timeout = kDefaultTimeout) {
        if (auto refused = refuse_sync_call()) return *refused;
        return call_future<Reply>(method, args, timeout).get();
    }

    // --- untyped calls: params and result as JSON ----------------------------

    // `types` may be null over JSON; over gob it must name the argument's
    // schema, and `params` is checked against it (named fields, "A":1).
    void call_json_async(std::string_view method, boost::json::value params, const CallTypes* types,
                         JsonCallback done, std::chrono::milliseconds timeout = kDefaultTimeout);
    Result<boost::json::value> call_json(std::string_view method, boost::json::value params,
                                         const CallTypes* types = nullptr,
                                         std::chrono::milliseconds timeout = kDefaultTimeout);

    // Fails every call waiting with Shutdown and closes the connection.
    // Idempotent; the destructor calls it.
    void close();
    // True after close() or once the connection dropped.
    bool is_shut_down() const;
    // Calls sent and not answered yet.
    std::size_t in_flight() const;

    // "use Options::call_timeout"
    static constexpr std::chrono::milliseconds kDefaultTimeout{-1};

    class Impl;

private:
    explicit Client(std::shared_ptr<Impl> impl);
    std::optional<Error> refuse_sync_call() const;

    template <class Args, class Reply>
    static Result<CallTypes> typed() {
        const auto& a = schema_handle<Args>();
        if (!a) return a.error();
        const auto& r = schema_handle<Reply>();
        if (!r) return r.error();
        return CallTypes{*a, *r};
    }

    template <class Reply>
    static Result<Reply> convert(Result<boost::json::value> r) {
        if (!r) return r.error();
        Reply out{};
        std::string why;
        if (!plugrpc::from_json(*r, out, why)) return Error{ErrorKind::Reply, "reading body " + why, 0};
        return out;
    }

    std::shared_ptr<Impl> impl_;
};

} // namespace plugrpc::client
