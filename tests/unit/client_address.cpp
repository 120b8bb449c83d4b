// The addresses a client connects to.
#include <plugrpc/client/options.hpp>

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_client_address {

using plugrpc::client::Address;
using plugrpc::client::parse_address;

namespace {

Address parsed(std::string_view text) {
    Address a;
    std::string why;
    INFO(text);
    REQUIRE(parse_address(text, a, why));
    return a;
}

std::string refused(std::string_view text) {
    Address a;
    std::string why;
    CHECK_FALSE(parse_address(text, a, why));
    return why;
}

} // namespace

TEST_CASE("a client address is HOST:PORT, [v6]:PORT or tcp://HOST:PORT", "[client]") {
    Address a = parsed("127.0.0.1:1234");
    CHECK_FALSE(a.unix_socket);
    CHECK(a.host == "127.0.0.1");
    CHECK(a.port == "1234");
    a = parsed("[::1]:99");
    CHECK(a.host == "::1");
    CHECK(a.port == "99");
    a = parsed("tcp://localhost:8080");
    CHECK(a.host == "localhost");
    CHECK(a.port == "8080");
    CHECK(parsed(":1234").host == "127.0.0.1");
}

TEST_CASE("a client address unix:/PATH or unix:///PATH is a unix socket", "[client]") {
    Address a = parsed("unix:/run/plugrpcd.sock");
    CHECK(a.unix_socket);
    CHECK(a.path == "/run/plugrpcd.sock");
    CHECK(parsed("unix:///tmp/x.sock").path == "/tmp/x.sock");
}

TEST_CASE("a client address without a port, or with a bad one, is refused with the reason", "[client]") {
    CHECK(refused("localhost") == "address localhost lacks a port (HOST:PORT or unix:/PATH)");
    CHECK(refused("localhost:http") == "address localhost:http: port http is not a number");
    CHECK(refused("unix:").find("needs a socket path") != std::string::npos);
}

} // namespace unit_client_address
