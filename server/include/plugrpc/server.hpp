// plugrpc's server as a library: Go's net/rpc server, in C++.
//
//     plugrpc::Server server;                           // rpc.NewServer()
//     server.add<Arith>();                              // server.Register(new(Arith))
//     server.handle_http("/_goRPC_", "/debug/rpc");     // server.HandleHTTP(rpcPath, debugPath)
//     server.listen_and_serve("tcp://127.0.0.1:1234");  // blocks until stop() has drained
//
// A service is a type described with Boost.Describe whose public methods
// take (const Args&, Reply&) and return plugrpc::Status: the SDK's rules
// (plugrpc/plugin.hpp), so a type written for a plugin is served as it is.
// Plugins (*.so) load into the same server with load_plugin().
//
// Every protocol is served on every listener, as by plugrpcd: Go's gob
// (rpc.Dial) and gob over HTTP CONNECT (rpc.DialHTTP), Go's jsonrpc and
// JSON-RPC 2.0 over TCP, JSON-RPC over HTTP POST on the rpc path, and the
// debug page, /metrics and /openrpc.json.
//
// Errors in setting up (a bad address, a port in use, a service registered
// twice, a plugin that does not load) throw plugrpc::ServerError with the
// reason. Once serving, nothing throws: a failed call is an error reply.
//
// Threads: serve(), listen_and_serve() and accept() run the server on the
// calling thread and ServerOptions::threads - 1 more, and return once stop()
// has drained it. stop() may be called from any thread and from a signal
// handler. add(), load_plugin(), handle_http() and set_options() may be
// called before or while serving.
#pragma once

#include <plugrpc/plugin.hpp>
#include <plugrpc/program_status.hpp>
#include <plugrpc/server_options.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace plugrpc {

class Dispatcher;
class Network;

// Why the server could not be set up as asked.
class ServerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Server {
public:
    Server();
    explicit Server(ServerOptions options); // options.threads and blocking_threads are read here only
    ~Server();                               // stops and drains if still serving
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // rpc.Register: serve every described public method of S, on a
    // default-constructed S (add<S>()) or on one built by the caller
    // (add(std::make_unique<S>(...))). rpc.RegisterName: `opt.name`.
    template <class S>
    void add(std::unique_ptr<S> service = std::make_unique<S>(), ServiceOptions opt = {}) {
        if (opt.name.empty()) opt.name = type_name<S>();
        std::string name = opt.name;
        // Called once, by add_services: the service moves into the plugin.
        auto box = std::make_shared<std::unique_ptr<S>>(std::move(service));
        add_services(name, [box, opt = std::move(opt)](Plugin& plugin) { plugin.add(std::move(*box), opt); });
    }

    // Load a plugin shared object; `config` is what its init gets as its
    // [plugin.<name>] table.
    void load_plugin(const std::filesystem::path& file, const boost::json::object& config = {});

    // rpc.HandleHTTP: the path of JSON-RPC POSTs and gob CONNECTs, and the
    // debug page's. Defaults: "/_goRPC_" and "/debug/rpc".
    void handle_http(std::string rpc_path, std::string debug_path);

    // Limits, paths, admin_allow and TLS material, for connections accepted
    // from now on. (threads and blocking_threads stay as constructed.)
    void set_options(const ServerOptions& options);
    const ServerOptions& options() const;

    // Facts of the embedding program for the debug page (program_status.hpp):
    // its config file, reloads, plugins that failed to load. Replaces the
    // ones given before; safe from any thread.
    void set_program_status(ProgramStatus status);

    // Bind an address now: "tcp://HOST:PORT", "HOST:PORT", "tls://HOST:PORT"
    // (needs tls_cert_file and tls_key_file) or "unix:///PATH". Returns
    // where it listens, with the real port ("tcp://127.0.0.1:40123").
    std::string listen(std::string_view address);

    // Answer HAProxy's agent check on "tcp://HOST:PORT": one line per
    // connection, "up ready N%", "drain" while stopping, "down" when not
    // ready. Returns where, with the real port. Throws ServerError.
    std::string listen_agent_check(std::string_view address);

    // Serve every listener bound so far until stop() has drained.
    void serve();

    // listen(address), then serve().
    void listen_and_serve(std::string_view address);

    // Serve on a listening socket bound by someone else (an Asio acceptor's
    // release(), a socket from systemd), then serve(). The server owns it.
    void accept(int listening_fd);
    template <class Acceptor, class = decltype(std::declval<Acceptor&>().release())>
    void accept(Acceptor& acceptor) {
        accept(static_cast<int>(acceptor.release()));
    }

    // Serve one connected socket (the server owns it from here). Returns at
    // once; the connection is served while the server serves.
    void serve_conn(int connected_fd);

    // Stop accepting, answer every call already received, close, and make
    // serve() return. Async-signal-safe; a second call does nothing more.
    // With options().drain_delay, it first serves on that long with
    // /readyz failing (begin_drain()), so that load balancers stop sending.
    void stop();

    // Fail /readyz (503 "draining") and answer HAProxy's agent check
    // "drain" from now on, serving everything as before; stop() follows.
    // Async-signal-safe.
    void begin_drain();

    // The engine, for programs built on it in this tree (plugrpcd).
    Network& network();
    Dispatcher& dispatcher();

private:
    void add_services(const std::string& name, std::function<void(Plugin&)> body);

    struct State;
    std::unique_ptr<State> state_;
};

} // namespace plugrpc
