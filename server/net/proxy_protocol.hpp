// The PROXY protocol, version 2 (haproxy's proxy-protocol.txt, section 2.2):
// the binary header a proxy (HAProxy's `send-proxy-v2`, nginx, Envoy) sends
// before the client's first byte, naming the client it relays.
//
//   12 bytes  signature  \r\n\r\n\0\r\nQUIT\n
//    1 byte   version (high nibble, 2) and command (low: 0 LOCAL, 1 PROXY)
//    1 byte   address family (high: 0 UNSPEC, 1 INET, 2 INET6, 3 UNIX)
//             and transport (low: 0 UNSPEC, 1 STREAM, 2 DGRAM)
//    2 bytes  length of what follows, big-endian
//    ...      source and destination addresses and ports, then TLVs
//
// Pure: bytes in, a verdict out; no socket. The header is read whole before
// it is judged (its length is known after 16 bytes and is at most 65535), so
// a caller reads exactly 16 bytes, then exactly `length` more, and never
// takes a byte of what the client sent after it.
#pragma once

#include <boost/asio/generic/stream_protocol.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plugrpc::proxy {

inline constexpr std::string_view kSignature{"\r\n\r\n\0\r\nQUIT\n", 12};
inline constexpr std::size_t kFixedBytes = 16; // signature, version/command, family, length
// Version 1's text header starts so; it is not accepted (see proxy_front.hpp).
inline constexpr std::string_view kV1Prefix = "PROXY ";

// The length field of a fixed part (`fixed` holds kFixedBytes bytes whose
// signature and version were checked by check_fixed).
std::size_t payload_length(std::string_view fixed);

// Why the first kFixedBytes cannot begin a v2 header; "" when they can.
std::string check_fixed(std::string_view fixed);

struct Header {
    bool local = false; // LOCAL: the proxy speaks for itself (a health check)
    // The client's address for PROXY over INET/INET6 or UNIX; empty (size 0)
    // for LOCAL and for UNSPEC families, where the connection's own peer stands.
    boost::asio::generic::stream_protocol::endpoint source;
    bool has_source = false;
};

// Judge a whole header: the kFixedBytes fixed part and its payload_length()
// bytes. Nothing on error, with `why` saying what is wrong.
std::optional<Header> parse(std::string_view fixed, std::string_view payload, std::string& why);

// How far `bytes` (the first bytes a peer sent) look like a PROXY header of
// either version: not at all, a beginning that could still become one, or a
// whole signature.
enum class Looks { No, Maybe, Yes };
Looks looks_like_header(std::string_view bytes);

} // namespace plugrpc::proxy
