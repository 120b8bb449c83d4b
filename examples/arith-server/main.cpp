// Go's net/rpc example server, in C++ against plugrpc::server:
//
//     arith := new(Arith)
//     rpc.Register(arith)
//     rpc.HandleHTTP()
//     l, e := net.Listen("tcp", ":1234")
//     http.Serve(l, nil)
//
// Usage: arith-server [ADDRESS]   (default tcp://127.0.0.1:1234; port 0 picks one)
#include <arith.hpp>
#include <plugrpc/server.hpp>

#include <csignal>
#include <cstdio>

static plugrpc::Server* running;

int main(int argc, char** argv) {
    plugrpc::Server server;
    server.add<arith::Arith>();
    server.handle_http("/_goRPC_", "/debug/rpc");

    running = &server;
    std::signal(SIGINT, [](int) { running->stop(); });
    std::signal(SIGTERM, [](int) { running->stop(); });
    try {
        server.listen_and_serve(argc > 1 ? argv[1] : "tcp://127.0.0.1:1234");
    } catch (const plugrpc::ServerError& e) {
        std::fprintf(stderr, "arith-server: %s\n", e.what());
        return 1;
    }
}
