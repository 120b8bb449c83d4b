#include "server/net/proxy_protocol.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <sys/un.h>

namespace plugrpc::proxy {
namespace asio = boost::asio;

namespace {

unsigned byte(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }
unsigned be16(std::string_view s, std::size_t i) { return byte(s, i) << 8 | byte(s, i + 1); }

// A nibble, as the spec writes them: "0x4".
std::string hex(unsigned v) { return std::string("0x") + "0123456789abcdef"[v & 15]; }

} // namespace

std::size_t payload_length(std::string_view fixed) { return be16(fixed, 14); }

std::string check_fixed(std::string_view fixed) {
    if (fixed.size() < kFixedBytes) return "a PROXY v2 header is at least 16 bytes";
    if (fixed.substr(0, kSignature.size()) != kSignature) {
        if (fixed.substr(0, kV1Prefix.size()) == kV1Prefix)
            return "a PROXY version 1 (text) header; only version 2 is accepted";
        return "no PROXY v2 signature where the header must start";
    }
    unsigned ver_cmd = byte(fixed, 12);
    if ((ver_cmd >> 4) != 2) return "PROXY header version " + std::to_string(ver_cmd >> 4) + ", expected 2";
    if ((ver_cmd & 15) > 1) return "PROXY v2 command " + hex(ver_cmd & 15) + " is neither LOCAL nor PROXY";
    unsigned fam = byte(fixed, 13);
    if ((fam >> 4) > 3) return "PROXY v2 address family " + hex(fam >> 4) + " is unknown";
    if ((fam & 15) > 2) return "PROXY v2 transport " + hex(fam & 15) + " is unknown";
    return {};
}

std::optional<Header> parse(std::string_view fixed, std::string_view payload, std::string& why) {
    why = check_fixed(fixed);
    if (!why.empty()) return std::nullopt;
    if (payload.size() != payload_length(fixed)) {
        why = "PROXY v2 header: " + std::to_string(payload.size()) + " bytes after the fixed part, its length says " +
              std::to_string(payload_length(fixed));
        return std::nullopt;
    }
    Header h;
    unsigned command = byte(fixed, 12) & 15;
    unsigned family = byte(fixed, 13) >> 4, transport = byte(fixed, 13) & 15;
    // LOCAL: the proxy's own connection (a health check); what follows is
    // ignored, family included (section 2.2).
    if (command == 0) {
        h.local = true;
        return h;
    }
    if (transport == 2) {
        why = "PROXY v2 header relays a datagram (DGRAM) connection to a stream listener";
        return std::nullopt;
    }
    // UNSPEC: the connection's own peer stands; what follows is not read.
    if (family == 0) return h;
    static constexpr std::array<std::size_t, 4> kAddressBytes = {0, 12, 36, 216};
    std::size_t need = kAddressBytes[family];
    if (payload.size() < need) {
        why = "PROXY v2 header: " + std::to_string(payload.size()) + " bytes cannot hold the " +
              std::to_string(need) + " of its addresses";
        return std::nullopt;
    }
    // TLVs (type, 16-bit length, value) follow the addresses: skipped, but
    // each must fit inside the header.
    for (std::size_t at = need; at < payload.size();) {
        if (payload.size() - at < 3 || payload.size() - at - 3 < be16(payload, at + 1)) {
            why = "PROXY v2 header: a TLV at byte " + std::to_string(kFixedBytes + at) + " runs past the header's end";
            return std::nullopt;
        }
        at += 3 + be16(payload, at + 1);
    }
    switch (family) {
    case 1: {
        asio::ip::address_v4::bytes_type a;
        std::memcpy(a.data(), payload.data(), 4);
        h.source = asio::ip::tcp::endpoint(asio::ip::address_v4(a), static_cast<unsigned short>(be16(payload, 8)));
        break;
    }
    case 2: {
        asio::ip::address_v6::bytes_type a;
        std::memcpy(a.data(), payload.data(), 16);
        h.source = asio::ip::tcp::endpoint(asio::ip::address_v6(a), static_cast<unsigned short>(be16(payload, 32)));
        break;
    }
    default: {
        std::string_view raw = payload.substr(0, 108);
        std::string path(raw.substr(0, std::min(raw.find('\0'), std::size_t{107})));
        h.source = asio::local::stream_protocol::endpoint(path);
        break;
    }
    }
    h.has_source = true;
    return h;
}

Looks looks_like_header(std::string_view bytes) {
    for (std::string_view sig : {kSignature, kV1Prefix}) {
        std::size_t n = std::min(bytes.size(), sig.size());
        if (n == 0) return Looks::Maybe;
        if (bytes.substr(0, n) != sig.substr(0, n)) continue;
        return n == sig.size() ? Looks::Yes : Looks::Maybe;
    }
    return Looks::No;
}

} // namespace plugrpc::proxy
