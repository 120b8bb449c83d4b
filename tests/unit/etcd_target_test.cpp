// etcd:// targets of the client, and the pieces of etcd's gateway protocol
// both sides use (wire/etcd): endpoints, base64, prefix ranges.
#include "etcd_target.hpp"
#include "wire/etcd/gateway.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_etcd_target {

using namespace plugrpc;

TEST_CASE("etcd: an etcd:// target names endpoints and a key prefix") {
    client::EtcdTarget t;
    std::string why;
    REQUIRE(client::parse_etcd_target("etcd://127.0.0.1:2379/plugrpc/services/Arith", t, why));
    REQUIRE(t.endpoints.size() == 1);
    CHECK(t.endpoints[0].text == "http://127.0.0.1:2379");
    CHECK(t.prefix == "/plugrpc/services/Arith/");
    REQUIRE(client::parse_etcd_target("etcd://a:1,b:2/svc/Arith/", t, why));
    CHECK(t.endpoints.size() == 2);
    CHECK(t.endpoints[1].host == "b");
    CHECK(t.prefix == "/svc/Arith/");
    CHECK_FALSE(client::parse_etcd_target("etcd://127.0.0.1:2379", t, why));
    CHECK(why.find("no key prefix") != std::string::npos);
    CHECK_FALSE(client::parse_etcd_target("etcd://127.0.0.1/x", t, why));
    CHECK(why.find("expected http://HOST:PORT") != std::string::npos);
}

TEST_CASE("etcd: a registered daemon's address comes from its value, else from its key") {
    CHECK(client::registered_address("/p/Arith/10.0.0.5:1234", R"({"address":"tcp://10.0.0.6:99"})") ==
          "tcp://10.0.0.6:99");
    CHECK(client::registered_address("/p/Arith/10.0.0.5:1234", "not json") == "10.0.0.5:1234");
    CHECK(client::registered_address("/p/Arith/nothing", "") == "");
}

TEST_CASE("etcd: base64 as the gateway writes it, both ways") {
    for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3),
                                                          "/plugrpc/services/Arith/"}) {
        std::string back;
        REQUIRE(etcd::base64_decode(etcd::base64_encode(s), back));
        CHECK(back == s);
    }
    CHECK(etcd::base64_encode("/p/A/x") == "L3AvQS94");
    std::string out;
    CHECK_FALSE(etcd::base64_decode("abc", out));
    CHECK_FALSE(etcd::base64_decode("a=bc", out));
}

TEST_CASE("etcd: a prefix's range ends at the next key after every key it starts") {
    CHECK(etcd::prefix_range_end("/p/A/") == "/p/A0");
    CHECK(etcd::prefix_range_end(std::string("a\xff", 2)) == "b");
    CHECK(etcd::prefix_range_end("") == std::string(1, '\0'));
}

} // namespace unit_etcd_target
