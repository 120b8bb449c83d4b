// etcd's v3 API through its gRPC gateway: JSON over HTTP/1.1, keys and
// values in base64, 64-bit integers as JSON strings. Only what plugrpcd's
// registration and the client's etcd:// targets need: leases (grant,
// keepalive, revoke), put, delete and a prefix range.
//
//     Gateway g({*parse_endpoint("http://127.0.0.1:2379", why)}, 2s);
//     auto lease = g.grant(std::chrono::seconds(10));
//     if (!lease) log(lease.error);
//     g.put("/plugrpc/services/Arith/10.0.0.5:1234", R"({"address":...})", *lease.value);
//
// Every call blocks its caller for at most `timeout` per endpoint tried
// (from the one that answered last, then the others in order), with its
// own io_context: call it from a thread of your own, never from an event
// loop. Replies over 4 MiB are refused. Errors are values: the text names
// the endpoint and the call.
#pragma once

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plugrpc::etcd {

// An etcd client URL: "http://HOST:PORT" or "HOST:PORT".
struct Endpoint {
    std::string host;
    std::string port;
    std::string text; // "http://HOST:PORT"
};

// False with `why` when `text` is not an endpoint (https is refused: the
// gateway client speaks plain HTTP).
bool parse_endpoint(std::string_view text, Endpoint& out, std::string& why);

// A value, or why there is none.
template <class T>
struct Outcome {
    std::optional<T> value;
    std::string error;
    explicit operator bool() const { return value.has_value(); }
    static Outcome fail(std::string why) { return Outcome{std::nullopt, std::move(why)}; }
};

struct KeyValue {
    std::string key;
    std::string value;
};

class Gateway {
public:
    Gateway(std::vector<Endpoint> endpoints, std::chrono::milliseconds timeout);
    Gateway(const Gateway& other);

    // A new lease of `ttl`; its id.
    Outcome<std::int64_t> grant(std::chrono::seconds ttl);
    // Refreshes a lease; the seconds it has left, 0 when etcd no longer has it.
    Outcome<std::int64_t> keepalive(std::int64_t lease);
    // Ends a lease and deletes its keys at once (a lease etcd does not know is revoked already).
    Outcome<bool> revoke(std::int64_t lease);
    Outcome<bool> put(std::string_view key, std::string_view value, std::int64_t lease);
    Outcome<bool> remove(std::string_view key);
    // Every key that starts with `prefix`, in key order, at most `limit`.
    Outcome<std::vector<KeyValue>> range_prefix(std::string_view prefix, std::size_t limit = 10000);

    const std::vector<Endpoint>& endpoints() const { return endpoints_; }

    // One call: POST `path` with `body`, the reply's JSON object.
    Outcome<boost::json::object> post(std::string_view path, const boost::json::object& body);

private:
    std::vector<Endpoint> endpoints_;
    std::chrono::milliseconds timeout_;
    std::atomic<std::size_t> preferred_{0}; // the endpoint that answered last
};

std::string base64_encode(std::string_view bytes);
bool base64_decode(std::string_view text, std::string& out);
// etcd's range_end that makes a range of every key starting with `prefix`.
std::string prefix_range_end(std::string_view prefix);

} // namespace plugrpc::etcd
