// Access rules (plugrpc/access.hpp, server/rpc/access_gate.hpp): how each
// kind of entry is read and which peers it lets in, and the [access],
// [server] proxy_* and [tls] client_* keys of the config file.
#include "daemon/config/config.hpp"
#include "server/rpc/access_gate.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_access_rules {

using namespace plugrpc;
namespace ip = boost::asio::ip;

PeerIdentity tcp_peer(const char* address) {
    PeerIdentity p;
    p.address = ip::tcp::endpoint(ip::make_address(address), 4000);
    return p;
}

PeerIdentity unix_peer(uid_t uid, gid_t gid, std::vector<gid_t> groups = {}) {
    PeerIdentity p;
    p.address = boost::asio::local::stream_protocol::endpoint("/run/x.sock");
    p.has_credentials = true;
    p.uid = uid;
    p.gid = gid;
    p.groups = std::move(groups);
    return p;
}

AccessRules rules(std::initializer_list<std::pair<std::string, std::vector<std::string>>> spec) {
    AccessRules out;
    for (const auto& [name, entries] : spec) {
        auto& list = out[name];
        for (const auto& e : entries) {
            std::string why;
            auto r = AccessRule::parse(e, why);
            INFO(e << ": " << why);
            REQUIRE(r);
            list.push_back(*r);
        }
    }
    return out;
}

TEST_CASE("a service no rule names is open to everyone", "[access]") {
    auto r = rules({{"Arith", {"10.0.0.0/8"}}});
    CHECK(access_allowed(r, "Other.Call", tcp_peer("192.0.2.1")));
    CHECK(access_allowed({}, "Arith.Multiply", tcp_peer("192.0.2.1")));
}

TEST_CASE("a CIDR entry lets TCP clients in its range call the service", "[access]") {
    auto r = rules({{"Arith", {"127.0.0.1", "10.1.0.0/16", "::1"}}});
    CHECK(access_allowed(r, "Arith.Multiply", tcp_peer("127.0.0.1")));
    CHECK(access_allowed(r, "Arith.Multiply", tcp_peer("10.1.255.3")));
    CHECK(access_allowed(r, "Arith.Multiply", tcp_peer("::1")));
    CHECK(access_allowed(r, "Arith.Multiply", tcp_peer("::ffff:10.1.0.9"))); // v4-mapped
    CHECK_FALSE(access_allowed(r, "Arith.Multiply", tcp_peer("127.0.0.2")));
    CHECK_FALSE(access_allowed(r, "Arith.Nope", tcp_peer("10.2.0.1"))); // unknown methods too
    CHECK_FALSE(access_allowed(r, "Arith.Multiply", unix_peer(0, 0)));
}

TEST_CASE("a method's own rule wins over its service's", "[access]") {
    auto r = rules({{"Arith", {"10.0.0.0/8"}}, {"Arith.Divide", {"10.9.0.0/16"}}});
    CHECK(access_allowed(r, "Arith.Multiply", tcp_peer("10.1.0.1")));
    CHECK_FALSE(access_allowed(r, "Arith.Divide", tcp_peer("10.1.0.1")));
    CHECK(access_allowed(r, "Arith.Divide", tcp_peer("10.9.0.1")));
}

TEST_CASE("an empty allow list refuses everyone", "[access]") {
    AccessRules r{{"Arith", {}}};
    CHECK_FALSE(access_allowed(r, "Arith.Multiply", tcp_peer("127.0.0.1")));
    CHECK_FALSE(access_allowed(r, "Arith.Multiply", unix_peer(0, 0)));
}

TEST_CASE("uid and gid entries match unix peers' credentials, supplementary groups too", "[access]") {
    auto r = rules({{"Arith", {"uid:1000", "gid:2000"}}});
    CHECK(access_allowed(r, "Arith.Multiply", unix_peer(1000, 1000)));
    CHECK(access_allowed(r, "Arith.Multiply", unix_peer(1001, 2000)));
    CHECK(access_allowed(r, "Arith.Multiply", unix_peer(1001, 1001, {5, 2000})));
    CHECK_FALSE(access_allowed(r, "Arith.Multiply", unix_peer(1001, 1001, {5})));
    CHECK_FALSE(access_allowed(r, "Arith.Multiply", tcp_peer("127.0.0.1"))); // no credentials
}

TEST_CASE("user and group names are looked up, and unknown ones are refused", "[access]") {
    std::string why;
    auto root = AccessRule::parse("uid:root", why);
    REQUIRE(root);
    CHECK(root->id == 0);
    auto group = AccessRule::parse("gid:root", why);
    REQUIRE(group);
    CHECK(group->kind == AccessRule::Kind::Gid);
    CHECK_FALSE(AccessRule::parse("uid:no-such-user-plugrpc", why));
    CHECK_THAT(why, Catch::Contains("no user named \"no-such-user-plugrpc\""));
    CHECK_FALSE(AccessRule::parse("gid:no-such-group-plugrpc", why));
    CHECK_THAT(why, Catch::Contains("no group named"));
    CHECK_FALSE(AccessRule::parse("10.0.0.0/33", why));
    CHECK_THAT(why, Catch::Contains("uid:USER"));
    CHECK_FALSE(AccessRule::parse("subject:", why));
}

TEST_CASE("a subject entry matches TLS clients whose verified certificate has that subject", "[access]") {
    auto r = rules({{"Arith", {"subject:CN=alice,O=ops"}}});
    PeerIdentity alice = tcp_peer("127.0.0.1");
    alice.tls = true;
    alice.subject = "CN=alice,O=ops";
    CHECK(access_allowed(r, "Arith.Multiply", alice));
    PeerIdentity bob = alice;
    bob.subject = "CN=bob,O=ops";
    CHECK_FALSE(access_allowed(r, "Arith.Multiply", bob));
    PeerIdentity none = alice;
    none.subject.clear();
    CHECK_FALSE(access_allowed(r, "Arith.Multiply", none));
}

TEST_CASE("a refusal names the method and the peer, and is counted by service", "[access]") {
    auto r = std::make_shared<const AccessRules>(rules({{"Arith", {"10.0.0.0/8"}}}));
    AccessRefusals counts;
    PeerIdentity who = tcp_peer("127.0.0.2");
    AccessGate gate(r, who, "tcp://127.0.0.2:4000", counts);
    CHECK(gate.check("Arith.Multiply") == "rpc: access to Arith.Multiply refused for 127.0.0.2");
    CHECK(gate.check("Arith.Divide") == "rpc: access to Arith.Divide refused for 127.0.0.2");
    CHECK(gate.check("Other.Call").empty());
    CHECK_FALSE(gate.visible("Arith.Multiply"));
    CHECK(gate.visible("Other.Call"));
    CHECK(counts.snapshot().at("Arith") == 2);

    PeerIdentity tls = tcp_peer("127.0.0.1");
    tls.tls = true;
    tls.subject = "CN=bob";
    CHECK(tls.describe() == "127.0.0.1 (certificate CN=bob)");
    CHECK(unix_peer(1001, 1002).describe() == "uid 1001 gid 1002");
}

ConfigResult parse(std::string_view text) { return parse_config(text, "test.toml"); }

TEST_CASE("[access] tables are read, naming the key of a bad entry", "[access][config]") {
    auto r = parse("[access.Arith]\nallow = [\"127.0.0.0/8\", \"uid:0\"]\n[access.\"Arith.Divide\"]\nallow = []\n");
    REQUIRE(r.config);
    CHECK(r.config->access.at("Arith").size() == 2);
    CHECK(r.config->access.at("Arith.Divide").empty());

    r = parse("[access.Arith]\nallow = [\"300.0.0.1\"]\n");
    CHECK_THAT(r.error, Catch::StartsWith("test.toml:2:9: access.Arith.allow: \"300.0.0.1\" is not an address"));
    r = parse("[access.Arith]\ndeny = []\n");
    CHECK_THAT(r.error, Catch::Contains("access.Arith.deny: unknown key"));
    r = parse("[access.Arith]\n");
    CHECK_THAT(r.error, Catch::Contains("access.Arith.allow: missing"));
    r = parse("[access.\"Arith.\"]\nallow = []\n");
    CHECK_THAT(r.error, Catch::Contains("expected a \"Service\" or \"Service.Method\" name"));
}

TEST_CASE("[server] proxy_protocol names listeners and needs proxy_trusted", "[proxy][config]") {
    auto r = parse("[server]\nlisten = [\"tcp://127.0.0.1:1234\", \"tcp://127.0.0.1:1235\"]\n"
                   "proxy_protocol = [\"127.0.0.1:1235\"]\nproxy_trusted = [\"10.0.0.0/8\", \"127.0.0.1\"]\n");
    REQUIRE(r.config);
    REQUIRE(r.config->proxy_protocol.size() == 1);
    CHECK(r.config->proxy_protocol[0].port == 1235);
    CHECK(r.config->proxy_trusted.size() == 2);

    r = parse("[server]\nproxy_protocol = [\"tcp://127.0.0.1:9\"]\nproxy_trusted = [\"10.0.0.1\"]\n");
    CHECK_THAT(r.error, Catch::Contains("server.proxy_protocol: \"tcp://127.0.0.1:9\" is not one of server.listen"));
    r = parse("[server]\nproxy_protocol = [\"tcp://127.0.0.1:1234\"]\n");
    CHECK_THAT(r.error, Catch::Contains("server.proxy_trusted: server.proxy_protocol needs"));
    r = parse("[server]\nlisten = [\"unix:///run/p.sock\"]\nproxy_protocol = [\"unix:///run/p.sock\"]\nproxy_trusted = []\n");
    CHECK_THAT(r.error, Catch::Contains("a unix socket cannot take PROXY headers"));
    r = parse("[server]\nproxy_trusted = [\"10.0.0.0/40\"]\n");
    CHECK_THAT(r.error, Catch::Contains("server.proxy_trusted: \"10.0.0.0/40\": prefix length"));
}

TEST_CASE("[tls] client_ca turns on mutual TLS, required unless client_auth says optional", "[tls][config]") {
    auto r = parse("[tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\nclient_ca = \"ca.pem\"\n");
    REQUIRE(r.config);
    CHECK(r.config->tls_client_auth == ServerOptions::ClientAuth::Require);
    CHECK(r.config->tls_client_ca.filename() == "ca.pem");
    r = parse("[tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\nclient_ca = \"ca.pem\"\nclient_auth = \"optional\"\n");
    REQUIRE(r.config);
    CHECK(r.config->tls_client_auth == ServerOptions::ClientAuth::Optional);
    r = parse("[tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\nclient_auth = \"require\"\n");
    CHECK_THAT(r.error, Catch::Contains("tls.client_ca: client_auth = \"require\" needs client_ca"));
    r = parse("[tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\nclient_ca = \"ca.pem\"\nclient_auth = \"sometimes\"\n");
    CHECK_THAT(r.error, Catch::Contains("tls.client_auth: must be"));
    r = parse("[tls]\nclient_ca = \"ca.pem\"\n");
    CHECK_THAT(r.error, Catch::Contains("mutual TLS needs cert_file and key_file"));
}

} // namespace unit_access_rules
