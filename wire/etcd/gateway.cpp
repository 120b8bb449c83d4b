#include "wire/etcd/gateway.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>

namespace plugrpc::etcd {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxReplyBytes = 4u << 20;

// One POST on a connection of its own, bounded by `timeout` as a whole.
Outcome<std::string> http_post(const Endpoint& e, std::string_view target, std::string body,
                               std::chrono::milliseconds timeout) {
    asio::io_context io{1};
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    http::request<http::string_body> req{http::verb::post, std::string(target), 11};
    req.set(http::field::host, e.host + ":" + e.port);
    req.set(http::field::content_type, "application/json");
    req.keep_alive(false);
    req.body() = std::move(body);
    req.prepare_payload();
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxReplyBytes);
    parser.header_limit(16 * 1024);

    boost::system::error_code failed;
    std::string step = "resolve";
    bool finished = false;
    auto finish = [&](boost::system::error_code ec) { failed = ec, finished = true; };
    auto deadline = std::chrono::steady_clock::now() + timeout;
    resolver.async_resolve(e.host, e.port, [&](boost::system::error_code ec, tcp::resolver::results_type r) {
        if (ec) return finish(ec);
        step = "connect";
        stream.expires_at(deadline);
        stream.async_connect(r, [&](boost::system::error_code ec2, const tcp::endpoint&) {
            if (ec2) return finish(ec2);
            step = "write";
            http::async_write(stream, req, [&](boost::system::error_code ec3, std::size_t) {
                if (ec3) return finish(ec3);
                step = "read";
                http::async_read(stream, buffer, parser,
                                 [&](boost::system::error_code ec4, std::size_t) { finish(ec4); });
            });
        });
    });
    io.run_for(timeout + std::chrono::milliseconds(50));
    if (!finished) {
        resolver.cancel();
        beast::error_code ignored;
        stream.socket().close(ignored);
        return Outcome<std::string>::fail(e.text + ": " + step + ": timed out after " +
                                          std::to_string(timeout.count()) + " ms");
    }
    if (failed) {
        std::string why = failed == beast::error::timeout ? "timed out after " + std::to_string(timeout.count()) + " ms"
                                                           : failed.message();
        return Outcome<std::string>::fail(e.text + ": " + step + ": " + why);
    }
    auto& res = parser.get();
    if (res.result() != http::status::ok) {
        // The gateway's error: {"error":"...","message":"etcdserver: ...","code":5}
        std::string why = "HTTP " + std::to_string(res.result_int());
        boost::system::error_code ec;
        json::value v = json::parse(res.body(), ec);
        if (!ec && v.is_object())
            if (auto* m = v.as_object().if_contains("message"); m && m->is_string()) why += ": " + std::string(m->as_string());
        return Outcome<std::string>::fail(e.text + std::string(target) + ": " + why);
    }
    return Outcome<std::string>{std::move(res.body()), {}};
}

// A JSON int64, which the gateway writes as a string ("TTL":"10").
std::int64_t int64_of(const json::object& o, std::string_view name) {
    const json::value* v = o.if_contains(name);
    if (!v) return 0;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_string()) {
        try {
            return std::stoll(std::string(v->as_string()));
        } catch (...) {
            return 0;
        }
    }
    return 0;
}

} // namespace

bool parse_endpoint(std::string_view text, Endpoint& out, std::string& why) {
    std::string_view rest = text;
    if (rest.starts_with("https://"))
        return why = "\"" + std::string(text) + "\": https is not supported (use http://HOST:PORT)", false;
    if (rest.starts_with("http://")) rest.remove_prefix(7);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    std::size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size() ||
        rest.find('/') != std::string_view::npos)
        return why = "\"" + std::string(text) + "\": expected http://HOST:PORT", false;
    std::string_view host = rest.substr(0, colon), port = rest.substr(colon + 1);
    if (port.find_first_not_of("0123456789") != std::string_view::npos || port.size() > 5 ||
        std::stoul(std::string(port)) > 65535 || std::stoul(std::string(port)) == 0)
        return why = "\"" + std::string(text) + "\": port " + std::string(port) + " is not a port number", false;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    out.host = std::string(host);
    out.port = std::string(port);
    out.text = "http://" + std::string(rest);
    return true;
}

Gateway::Gateway(std::vector<Endpoint> endpoints, std::chrono::milliseconds timeout)
    : endpoints_(std::move(endpoints)), timeout_(timeout) {}

Gateway::Gateway(const Gateway& other)
    : endpoints_(other.endpoints_), timeout_(other.timeout_), preferred_(other.preferred_.load()) {}

Outcome<json::object> Gateway::post(std::string_view path, const json::object& body) {
    if (endpoints_.empty()) return Outcome<json::object>::fail("no etcd endpoint");
    std::string text = json::serialize(body);
    std::string errors;
    std::size_t first = preferred_.load() % endpoints_.size();
    for (std::size_t i = 0; i < endpoints_.size(); ++i) {
        std::size_t at = (first + i) % endpoints_.size();
        Outcome<std::string> reply = http_post(endpoints_[at], path, text, timeout_);
        if (!reply) {
            // An answer from etcd itself (an HTTP error) is its verdict; another endpoint would say the same.
            if (reply.error.find(": HTTP ") != std::string::npos) return Outcome<json::object>::fail(reply.error);
            errors += (errors.empty() ? "" : "; ") + reply.error;
            continue;
        }
        preferred_.store(at);
        boost::system::error_code ec;
        json::value v = json::parse(*reply.value, ec);
        if (ec || !v.is_object())
            return Outcome<json::object>::fail(endpoints_[at].text + std::string(path) + ": reply is not a JSON object");
        return Outcome<json::object>{std::move(v.as_object()), {}};
    }
    return Outcome<json::object>::fail(errors);
}

Outcome<std::int64_t> Gateway::grant(std::chrono::seconds ttl) {
    auto r = post("/v3/lease/grant", {{"TTL", std::to_string(ttl.count())}});
    if (!r) return Outcome<std::int64_t>::fail(r.error);
    std::int64_t id = int64_of(*r.value, "ID");
    if (id == 0) {
        std::string why = "lease grant: no lease in the reply";
        if (auto* e = r.value->if_contains("error"); e && e->is_string()) why += ": " + std::string(e->as_string());
        return Outcome<std::int64_t>::fail(why);
    }
    return Outcome<std::int64_t>{id, {}};
}

Outcome<std::int64_t> Gateway::keepalive(std::int64_t lease) {
    // A stream in gRPC; the gateway answers one message: {"result":{"ID":..,"TTL":..}}.
    auto r = post("/v3/lease/keepalive", {{"ID", std::to_string(lease)}});
    if (!r) return Outcome<std::int64_t>::fail(r.error);
    const json::value* result = r.value->if_contains("result");
    if (!result || !result->is_object()) {
        std::string why = "lease keepalive: no result in the reply";
        if (auto* e = r.value->if_contains("error"); e && e->is_object())
            if (auto* m = e->as_object().if_contains("message"); m && m->is_string()) why += ": " + std::string(m->as_string());
        return Outcome<std::int64_t>::fail(why);
    }
    return Outcome<std::int64_t>{int64_of(result->as_object(), "TTL"), {}};
}

Outcome<bool> Gateway::revoke(std::int64_t lease) {
    auto r = post("/v3/lease/revoke", {{"ID", std::to_string(lease)}});
    if (!r && r.error.find("requested lease not found") == std::string::npos) return Outcome<bool>::fail(r.error);
    return Outcome<bool>{true, {}};
}

Outcome<bool> Gateway::put(std::string_view key, std::string_view value, std::int64_t lease) {
    json::object body{{"key", base64_encode(key)}, {"value", base64_encode(value)}};
    if (lease != 0) body["lease"] = std::to_string(lease);
    auto r = post("/v3/kv/put", body);
    if (!r) return Outcome<bool>::fail(r.error);
    return Outcome<bool>{true, {}};
}

Outcome<bool> Gateway::remove(std::string_view key) {
    auto r = post("/v3/kv/deleterange", {{"key", base64_encode(key)}});
    if (!r) return Outcome<bool>::fail(r.error);
    return Outcome<bool>{true, {}};
}

Outcome<std::vector<KeyValue>> Gateway::range_prefix(std::string_view prefix, std::size_t limit) {
    auto r = post("/v3/kv/range", {{"key", base64_encode(prefix)},
                                   {"range_end", base64_encode(prefix_range_end(prefix))},
                                   {"limit", std::to_string(limit)}});
    if (!r) return Outcome<std::vector<KeyValue>>::fail(r.error);
    std::vector<KeyValue> out;
    if (const json::value* kvs = r.value->if_contains("kvs"); kvs && kvs->is_array()) {
        for (const json::value& kv : kvs->as_array()) {
            if (!kv.is_object()) continue;
            KeyValue item;
            const json::value* k = kv.as_object().if_contains("key");
            const json::value* v = kv.as_object().if_contains("value");
            if (!k || !k->is_string() || !base64_decode(k->as_string(), item.key)) continue;
            if (v && v->is_string() && !base64_decode(v->as_string(), item.value)) continue;
            out.push_back(std::move(item));
        }
    }
    return Outcome<std::vector<KeyValue>>{std::move(out), {}};
}

std::string base64_encode(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        unsigned n = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 | (unsigned char)bytes[i + 2];
        out += kAlphabet[n >> 18 & 63], out += kAlphabet[n >> 12 & 63], out += kAlphabet[n >> 6 & 63], out += kAlphabet[n & 63];
    }
    if (std::size_t left = bytes.size() - i; left > 0) {
        unsigned n = (unsigned char)bytes[i] << 16 | (left == 2 ? (unsigned char)bytes[i + 1] << 8 : 0);
        out += kAlphabet[n >> 18 & 63], out += kAlphabet[n >> 12 & 63];
        out += left == 2 ? kAlphabet[n >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

bool base64_decode(std::string_view text, std::string& out) {
    out.clear();
    if (text.size() % 4 != 0) return false;
    auto sextet = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    for (std::size_t i = 0; i < text.size(); i += 4) {
        int pad = (text[i + 3] == '=') + (text[i + 2] == '=');
        if (pad > 0 && i + 4 != text.size()) return false;
        std::array<int, 4> s{};
        for (int j = 0; j < 4 - pad; ++j)
            if ((s[j] = sextet(text[i + j])) < 0) return false;
        unsigned n = unsigned(s[0]) << 18 | unsigned(s[1]) << 12 | unsigned(s[2]) << 6 | unsigned(s[3]);
        out += char(n >> 16 & 255);
        if (pad < 2) out += char(n >> 8 & 255);
        if (pad < 1) out += char(n & 255);
    }
    return true;
}

std::string prefix_range_end(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        if (static_cast<unsigned char>(end.back()) < 0xff) {
            end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
            return end;
        }
        end.pop_back();
    }
    return std::string(1, '\0'); // every key
}

} // namespace plugrpc::etcd
