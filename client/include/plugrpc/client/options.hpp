// How a Client connects and what it allows.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace plugrpc::client {

enum class Protocol {
    Json,    // JSON-RPC 2.0 over the stream (plugrpcd, any JSON-RPC 2.0 server)
    JsonGo,  // Go's net/rpc/jsonrpc over the stream (jsonrpc.ServeConn's peer): params [arg], no "jsonrpc"
    Gob,     // Go's net/rpc gob (rpc.Dial's peer)
    GobHttp, // Go's net/rpc gob after `CONNECT rpc_path` (rpc.DialHTTP's peer)
    Http,    // JSON-RPC 2.0 POSTed to rpc_path, HTTP/1.1 keep-alive (curl's way)
};

struct Options {
    Protocol protocol = Protocol::Json;
    // Connecting (and the CONNECT handshake) must finish within this.
    std::chrono::milliseconds connect_timeout{5000};
    // The default time a call waits for its reply; zero waits forever.
    std::chrono::milliseconds call_timeout{30000};
    // A reply (one gob message or one JSON value) longer than this breaks
    // the connection: every pending call fails with a Transport error.
    std::size_t max_reply_bytes = 4 * 1024 * 1024;
    // Calls sent and not answered yet; a call beyond this fails at once
    // with a Usage error.
    std::size_t max_inflight = 65536;
    // GobHttp: the path to CONNECT to (Go's rpc.DefaultRPCPath); Http: the path to POST to.
    std::string rpc_path = "/_goRPC_";
    // Shown each request and reply as it crosses the wire, for people
    // (plugrpc -v): JSON text as sent and read; HTTP messages whole; gob
    // headers and values decoded, then their bytes in hex; the CONNECT
    // handshake. Called on the connecting thread, then on the I/O thread.
    std::function<void(std::string_view)> trace = nullptr;
    // etcd:// targets: how often the registered daemons are read again
    // (at least 50 ms). A daemon that drains withdraws its keys first and
    // serves on for its [server] drain_delay: keep this shorter.
    std::chrono::milliseconds resolve_interval{1000};
};

// "host:port", "[v6]:port", "tcp://host:port", "unix:/path" or "unix:///path".
// (Client::connect also takes "etcd://HOST:PORT/prefix/Service": every
// daemon registered there, see client.hpp.)
struct Address {
    bool unix_socket = false;
    std::string host; // tcp
    std::string port; // tcp
    std::string path; // unix
};

// Parses an address; false with `why` when it is not one.
bool parse_address(std::string_view text, Address& out, std::string& why);

} // namespace plugrpc::client
