// plugrpc::Server, the server library, embedded in this test process: Go's
// verbs (add, handle_http, listen, serve, accept, serve_conn, stop) over
// real sockets, with the C++ client and raw bytes.
#include <arith.hpp>

#include "daemon.hpp"

#include <plugrpc/client.hpp>
#include <plugrpc/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <future>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace client = plugrpc::client;
using client::Protocol;

namespace {

// A server serving on a thread of its own until the test ends.
struct Serving {
    plugrpc::Server& server;
    std::future<void> done;

    explicit Serving(plugrpc::Server& s) : server(s), done(std::async(std::launch::async, [&s] { s.serve(); })) {}
    ~Serving() { stop(); }
    // stop(), then true when serve() returned within `limit`.
    bool stop(std::chrono::seconds limit = std::chrono::seconds(10)) {
        if (!done.valid()) return true;
        server.stop();
        bool returned = done.wait_for(limit) == std::future_status::ready;
        if (returned) done.get();
        return returned;
    }
};

plugrpc::ServerOptions small() {
    plugrpc::ServerOptions o;
    o.threads = 2;
    return o;
}

// "tcp://127.0.0.1:40123" -> "127.0.0.1:40123"
std::string host_port(const std::string& listener) { return listener.substr(listener.find("://") + 3); }

client::Client connect(const std::string& address, Protocol p) {
    client::Options o;
    o.protocol = p;
    auto c = client::Client::connect(address, o);
    if (!c) FAIL("connect " << address << ": " << c.error().message);
    return std::move(*c);
}

// One JSON-RPC line over a connected socket, and its answer line.
std::string exchange(int fd, const std::string& line) {
    std::string out = line + "\n";
    if (::write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size())) return "write failed";
    std::string in;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') in += c;
    return in;
}

plugrpc::Server* signalled = nullptr;

} // namespace

TEST_CASE("server library: add<Arith>, handle_http and listen serve Arith over json, gob, gob-http and http") {
    plugrpc::Server server(small());
    server.add<arith::Arith>();
    server.handle_http("/rpc", "/debug");
    std::string where = server.listen("tcp://127.0.0.1:0");
    CHECK_THAT(where, Catch::StartsWith("tcp://127.0.0.1:"));
    Serving serving(server);
    for (Protocol p : {Protocol::Json, Protocol::Gob, Protocol::GobHttp, Protocol::Http}) {
        client::Options o;
        o.protocol = p;
        o.rpc_path = "/rpc";
        auto c = client::Client::connect(host_port(where), o);
        REQUIRE(c.has_value());
        auto r = c->call<std::int64_t>("Arith.Multiply", arith::Args{7, 8});
        REQUIRE(r.has_value());
        CHECK(*r == 56);
        auto q = c->call<arith::Quotient>("Arith.Divide", arith::Args{1, 0});
        REQUIRE(!q.has_value());
        CHECK(q.error().message == "divide by zero");
    }
    CHECK(serving.stop());
}

TEST_CASE("server library: setting up wrong throws ServerError saying why") {
    plugrpc::Server server(small());
    server.add<arith::Arith>();
    CHECK_THROWS_WITH(server.add<arith::Arith>(), Catch::Contains("Arith") && Catch::Contains("already"));
    CHECK_THROWS_WITH(server.listen("ftp://127.0.0.1:1"), Catch::Contains("ftp://127.0.0.1:1"));
    std::string taken = host_port(server.listen("tcp://127.0.0.1:0"));
    CHECK_THROWS_AS(server.listen("tcp://" + taken), plugrpc::ServerError);
    CHECK_THROWS_WITH(server.handle_http("rpc", "/debug"), Catch::Contains("must start with '/'"));
    CHECK_THROWS_WITH(server.load_plugin("/nonexistent/x.so"), Catch::Contains("/nonexistent/x.so"));
    // The server still serves what it had.
    Serving serving(server);
    auto c = connect(taken, Protocol::Json);
    CHECK(c.call<std::int64_t>("Arith.Multiply", arith::Args{6, 7}).value() == 42);
}

TEST_CASE("server library: load_plugin serves a plugin beside added types, and a service name is served once") {
    plugrpc::Server server(small());
    server.load_plugin(PLUGRPC_TEST_ARITH_PLUGIN);
    CHECK_THROWS_WITH(server.add<arith::Arith>(), Catch::Contains("Arith"));
    server.add(std::make_unique<arith::Arith>(), {"Calc"}); // rpc.RegisterName
    std::string where = host_port(server.listen("tcp://127.0.0.1:0"));
    Serving serving(server);
    auto c = connect(where, Protocol::Gob);
    CHECK(c.call<std::int64_t>("Arith.Multiply", arith::Args{3, 4}).value() == 12);
    CHECK(c.call<std::int64_t>("Calc.Multiply", arith::Args{5, 4}).value() == 20);
}

TEST_CASE("server library: serve_conn serves a connected socket, accept an Asio acceptor's") {
    plugrpc::Server server(small());
    server.add<arith::Arith>();
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    server.serve_conn(pair[0]);

    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    std::string where = "127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
    auto done = std::async(std::launch::async, [&] { server.accept(acceptor); });

    CHECK(exchange(pair[1], R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":1})") ==
          R"({"jsonrpc":"2.0","result":42,"id":1})");
    ::close(pair[1]);
    auto c = connect(where, Protocol::GobHttp);
    CHECK(c.call<std::int64_t>("Arith.Multiply", arith::Args{2, 21}).value() == 42);
    server.stop();
    CHECK(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
}

TEST_CASE("server library: stop() from a signal handler answers what was received, then serve() returns") {
    plugrpc::Server server(small());
    server.add<arith::Arith>();
    std::string where = host_port(server.listen("tcp://127.0.0.1:0"));
    auto done = std::async(std::launch::async, [&] { server.serve(); });
    auto c = connect(where, Protocol::Gob);
    CHECK(c.call<std::int64_t>("Arith.Multiply", arith::Args{2, 3}).value() == 6);

    signalled = &server;
    auto old = std::signal(SIGUSR1, [](int) { signalled->stop(); });
    std::raise(SIGUSR1);
    std::signal(SIGUSR1, old);
    REQUIRE(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK_THROWS_WITH(server.serve(), Catch::Contains("already"));
}

TEST_CASE("server library: set_options changes the limits of connections made afterwards") {
    plugrpc::Server server(small());
    server.add<arith::Arith>();
    std::string where = host_port(server.listen("tcp://127.0.0.1:0"));
    Serving serving(server);
    plugrpc::ServerOptions o = server.options();
    o.limits.max_message_bytes = 128;
    server.set_options(o);
    auto c = connect(where, Protocol::Json);
    auto big = c.call_json("Arith.Multiply", boost::json::object{{"A", 1}, {"B", 2}, {"C", std::string(200, 'x')}});
    REQUIRE(!big.has_value());
    CHECK_THAT(big.error().message, Catch::Contains("exceeds the server's limit of 128 bytes"));
    auto again = connect(where, Protocol::Json);
    CHECK(again.call<std::int64_t>("Arith.Multiply", arith::Args{1, 2}).value() == 2);
}

TEST_CASE("server library: the debug page names the program, its pid and listener, set_program_status adds facts") {
    plugrpc::Server server(small());
    server.add<arith::Arith>();
    std::string where = server.listen("tcp://127.0.0.1:0");
    Serving serving(server);
    auto port = static_cast<std::uint16_t>(std::stoi(where.substr(where.rfind(':') + 1)));
    auto page = [&] {
        plugrpc::test::HttpClient http(port);
        return http.get("/debug/rpc", "*/*").body;
    };
    std::string before = page();
    INFO("page:\n" << before);
    CHECK_THAT(before, Catch::StartsWith(std::string(program_invocation_short_name) + " "));
    CHECK_THAT(before, Catch::Contains("\npid:          " + std::to_string(::getpid()) + "\n"));
    CHECK_THAT(before, Catch::Contains("\nlisteners:    " + where + "\n"));
    CHECK_THAT(before, Catch::Contains("  Multiply(Args) int64"));
    CHECK_THAT(before, !Catch::Contains("FAILED TO LOAD"));

    server.set_program_status({"my-app", {{"config file", "/etc/my-app.toml"}}, {{"/opt/my-app/x.so", "no entry symbol"}}});
    std::string after = page();
    INFO("page:\n" << after);
    CHECK_THAT(after, Catch::StartsWith("my-app "));
    CHECK_THAT(after, Catch::Contains("\nconfig file:  /etc/my-app.toml\n"));
    CHECK_THAT(after, Catch::Contains("\nFAILED TO LOAD\n/opt/my-app/x.so\n  no entry symbol\n"));
    CHECK(serving.stop());
}
