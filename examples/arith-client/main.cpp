// Go's net/rpc example client, in C++ against plugrpc::client:
//
//     client, err := rpc.DialHTTP("tcp", serverAddress + ":1234")
//     args := &server.Args{7,8}
//     var reply int
//     err = client.Call("Arith.Multiply", args, &reply)
//     fmt.Printf("Arith: %d*%d=%d", args.A, args.B, reply)
//     quotient := new(Quotient)
//     divCall := client.Go("Arith.Divide", args, quotient, nil)
//     replyCall := <-divCall.Done
//
// Usage: arith-client [HOST:PORT]   (default 127.0.0.1:1234)
#include <arith.hpp>
#include <plugrpc/client.hpp>

#include <cstdio>
#include <future>

int main(int argc, char** argv) {
    using namespace plugrpc::client;
    auto client = Client::connect(argc > 1 ? argv[1] : "127.0.0.1:1234", {.protocol = Protocol::GobHttp});
    if (!client) return std::fprintf(stderr, "dialing: %s\n", client.error().message.c_str()), 1;

    // Synchronous call
    arith::Args args{17, 8};
    auto reply = client->call<std::int64_t>("Arith.Multiply", args);
    if (!reply) return std::fprintf(stderr, "arith error: %s\n", reply.error().message.c_str()), 1;
    std::printf("Arith: %lld*%lld=%lld\n", (long long)args.A, (long long)args.B, (long long)*reply);

    // Asynchronous call
    std::promise<Result<arith::Quotient>> done;
    client->call_async<arith::Quotient>("Arith.Divide", args, [&](Result<arith::Quotient> r) { done.set_value(r); });
    auto quotient = done.get_future().get();
    if (!quotient) return std::fprintf(stderr, "arith error: %s\n", quotient.error().message.c_str()), 1;
    std::printf("Arith: %lld/%lld=%lld remainder %lld\n", (long long)args.A, (long long)args.B,
                (long long)quotient->Quo, (long long)quotient->Rem);

    // The error Go's example promises
    auto zero = client->call<arith::Quotient>("Arith.Divide", arith::Args{1, 0});
    std::printf("Arith: 1/0: %s\n", zero ? "no error" : zero.error().message.c_str());
}
