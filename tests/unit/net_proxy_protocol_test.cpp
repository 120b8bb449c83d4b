// The PROXY v2 header parser (server/net/proxy_protocol.hpp), with headers
// written byte by byte as HAProxy sends them, and hostile ones: short,
// wrong signature, unknown version, command, family or transport, a length
// that cannot hold the addresses, TLVs that run past the end, and random
// bytes, none of which may be read past their end.
#include "server/net/endpoint.hpp"
#include "server/net/proxy_protocol.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>

// Each file in its own namespace: unity builds compile several together.
namespace unit_net_proxy_protocol {

using namespace plugrpc;
namespace proxy = plugrpc::proxy;

// A header: signature, version/command, family/transport, length, payload.
std::string header(unsigned ver_cmd, unsigned fam, const std::string& payload) {
    std::string h(proxy::kSignature);
    h += static_cast<char>(ver_cmd);
    h += static_cast<char>(fam);
    h += static_cast<char>(payload.size() >> 8);
    h += static_cast<char>(payload.size() & 0xFF);
    return h + payload;
}

std::string inet4(unsigned char a, unsigned char b, unsigned char c, unsigned char d, unsigned sport) {
    std::string p{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d), 127, 0, 0, 1};
    p += static_cast<char>(sport >> 8);
    p += static_cast<char>(sport & 0xFF);
    p += static_cast<char>(0x04);
    p += static_cast<char>(0xD2); // destination port 1234
    return p;
}

// Judge a whole header as the front reads it: the fixed part, then its length.
std::optional<proxy::Header> judge(const std::string& bytes, std::string& why) {
    std::string_view all(bytes);
    if (all.size() < proxy::kFixedBytes) {
        why = "short";
        return std::nullopt;
    }
    std::string_view fixed = all.substr(0, proxy::kFixedBytes);
    why = proxy::check_fixed(fixed);
    if (!why.empty()) return std::nullopt;
    std::size_t n = proxy::payload_length(fixed);
    if (all.size() - proxy::kFixedBytes < n) {
        why = "short";
        return std::nullopt;
    }
    return proxy::parse(fixed, all.substr(proxy::kFixedBytes, n), why);
}

TEST_CASE("a PROXY v2 header over TCP/IPv4 names the client's address and port", "[proxy]") {
    std::string why;
    auto h = judge(header(0x21, 0x11, inet4(10, 1, 2, 3, 40000)), why);
    REQUIRE(h);
    CHECK(why.empty());
    CHECK_FALSE(h->local);
    REQUIRE(h->has_source);
    CHECK(endpoint_url(h->source) == "tcp://10.1.2.3:40000");
}

TEST_CASE("a PROXY v2 header over TCP/IPv6 names the client's address", "[proxy]") {
    std::string p(36, '\0');
    p[0] = 0x20, p[1] = 0x01, p[2] = 0x0d, p[3] = static_cast<char>(0xb8), p[15] = 7; // 2001:db8::7
    p[32] = static_cast<char>(0xC3), p[33] = 0x50;                                // port 50000
    std::string why;
    auto h = judge(header(0x21, 0x21, p), why);
    REQUIRE(h);
    CHECK(endpoint_url(h->source) == "tcp://[2001:db8::7]:50000");
}

TEST_CASE("TLVs after the addresses are skipped, and one that runs past the end is refused", "[proxy]") {
    std::string tlv = std::string("\x04\x00\x03", 3) + "abc"; // PP2_TYPE_NOOP, 3 bytes
    std::string why;
    auto h = judge(header(0x21, 0x11, inet4(192, 168, 0, 9, 1) + tlv + std::string("\x05\x00\x00", 3)), why);
    REQUIRE(h);
    CHECK(endpoint_url(h->source) == "tcp://192.168.0.9:1");

    CHECK_FALSE(judge(header(0x21, 0x11, inet4(1, 2, 3, 4, 5) + std::string("\x04\x00\x09", 3) + "abc"), why));
    CHECK_THAT(why, Catch::Contains("TLV") && Catch::Contains("past the header's end"));
    CHECK_FALSE(judge(header(0x21, 0x11, inet4(1, 2, 3, 4, 5) + std::string("\x04\x00", 2)), why));
    CHECK_THAT(why, Catch::Contains("TLV"));
}

TEST_CASE("LOCAL (a proxy's health check) and UNSPEC keep the connection's own address", "[proxy]") {
    std::string why;
    auto local = judge(header(0x20, 0x00, ""), why);
    REQUIRE(local);
    CHECK(local->local);
    CHECK_FALSE(local->has_source);
    // LOCAL ignores whatever follows, family included.
    auto local_with = judge(header(0x20, 0x11, inet4(1, 2, 3, 4, 5)), why);
    REQUIRE(local_with);
    CHECK_FALSE(local_with->has_source);
    auto unspec = judge(header(0x21, 0x00, "xyz"), why);
    REQUIRE(unspec);
    CHECK_FALSE(unspec->has_source);
}

TEST_CASE("an AF_UNIX PROXY v2 header names the client's socket path", "[proxy]") {
    std::string p(216, '\0');
    std::string path = "/run/client.sock";
    p.replace(0, path.size(), path);
    std::string why;
    auto h = judge(header(0x21, 0x31, p), why);
    REQUIRE(h);
    CHECK(endpoint_url(h->source) == "unix:///run/client.sock");
}

TEST_CASE("hostile PROXY v2 headers are refused with a reason", "[proxy]") {
    std::string why;
    // Wrong signature, version 1 text, version 1 or 3, unknown command.
    std::string bad_sig = header(0x21, 0x11, inet4(1, 2, 3, 4, 5));
    bad_sig[5] = 'X';
    CHECK_FALSE(judge(bad_sig, why));
    CHECK_THAT(why, Catch::Contains("no PROXY v2 signature"));
    CHECK_FALSE(judge("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", why));
    CHECK_THAT(why, Catch::Contains("version 1"));
    CHECK_FALSE(judge(header(0x11, 0x11, inet4(1, 2, 3, 4, 5)), why));
    CHECK_THAT(why, Catch::Contains("version 1, expected 2"));
    CHECK_FALSE(judge(header(0x31, 0x11, inet4(1, 2, 3, 4, 5)), why));
    CHECK_FALSE(judge(header(0x22, 0x11, inet4(1, 2, 3, 4, 5)), why));
    CHECK_THAT(why, Catch::Contains("command 0x2"));
    // Unknown family or transport; a datagram relayed to a stream listener.
    CHECK_FALSE(judge(header(0x21, 0x41, inet4(1, 2, 3, 4, 5)), why));
    CHECK_THAT(why, Catch::Contains("address family 0x4"));
    CHECK_FALSE(judge(header(0x21, 0x13, inet4(1, 2, 3, 4, 5)), why));
    CHECK_THAT(why, Catch::Contains("transport 0x3"));
    CHECK_FALSE(judge(header(0x21, 0x12, inet4(1, 2, 3, 4, 5)), why));
    CHECK_THAT(why, Catch::Contains("DGRAM"));
    // A length too short for the family's addresses.
    CHECK_FALSE(judge(header(0x21, 0x11, "abc"), why));
    CHECK_THAT(why, Catch::Contains("cannot hold the 12"));
    CHECK_FALSE(judge(header(0x21, 0x21, inet4(1, 2, 3, 4, 5)), why));
    CHECK_THAT(why, Catch::Contains("cannot hold the 36"));
    CHECK_FALSE(judge(header(0x21, 0x31, std::string(100, 'a')), why));
    // A payload that is not the length the header says.
    std::string fixed = header(0x21, 0x11, inet4(1, 2, 3, 4, 5)).substr(0, proxy::kFixedBytes);
    CHECK_FALSE(proxy::parse(fixed, "short", why));
    CHECK_THAT(why, Catch::Contains("its length says 12"));
}

TEST_CASE("the length field reads up to 65535 bytes, the most a header may take", "[proxy]") {
    std::string h = header(0x21, 0x11, "");
    h[14] = static_cast<char>(0xFF);
    h[15] = static_cast<char>(0xFF);
    CHECK(proxy::check_fixed(h).empty());
    CHECK(proxy::payload_length(h) == 65535);
    std::string why;
    auto big = proxy::parse(h, std::string(65535, '\0'), why); // all one long run of zero-length TLVs... or not
    // 12 bytes of address, then TLVs of type 0 and length 0 (3 bytes each):
    // 65523 is a multiple of 3, so the header is whole.
    REQUIRE(big);
    CHECK(endpoint_url(big->source) == "tcp://0.0.0.0:0");
}

TEST_CASE("random bytes after a valid fixed part never read past the payload", "[proxy]") {
    std::mt19937 rng(42);
    for (int i = 0; i < 20000; ++i) {
        std::size_t n = rng() % 300;
        std::string payload(n, '\0');
        for (auto& c : payload) c = static_cast<char>(rng());
        unsigned fam = (rng() % 5) << 4 | rng() % 4;
        std::string why;
        auto h = judge(header(0x20 | (rng() % 3), fam, payload), why);
        if (!h) CHECK_FALSE(why.empty());
    }
}

TEST_CASE("looks_like_header tells a PROXY header's start from a client's first bytes", "[proxy]") {
    using proxy::Looks;
    CHECK(proxy::looks_like_header("") == Looks::Maybe);
    CHECK(proxy::looks_like_header("\r\n\r\n") == Looks::Maybe);
    CHECK(proxy::looks_like_header(std::string(proxy::kSignature)) == Looks::Yes);
    CHECK(proxy::looks_like_header("PRO") == Looks::Maybe);
    CHECK(proxy::looks_like_header("PROXY TCP4 ") == Looks::Yes);
    CHECK(proxy::looks_like_header("POST /_goRPC_") == Looks::No);
    CHECK(proxy::looks_like_header("{\"method\"") == Looks::No);
    CHECK(proxy::looks_like_header("\r\n{") == Looks::No);
    CHECK(proxy::looks_like_header("\x16\x03\x01") == Looks::No); // a TLS ClientHello
}

} // namespace unit_net_proxy_protocol
