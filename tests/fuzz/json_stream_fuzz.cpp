// Fuzz target: a JSON-RPC stream over TCP, as server/net/json_session.cpp
// reads it — the framer finds each value, serve_message() decodes it (Go's
// jsonrpc or JSON-RPC 2.0, single or batch) and runs it through a real
// dispatcher and registry (fuzz_services.hpp). The input is the byte
// stream a client sends.
//
// Checks, besides the sanitizers:
// - the stream is framed and answered the same whether it arrives whole or
//   in small pieces;
// - every reply is one JSON object, or a non-empty array of objects (a
//   batch), as Go's encoding/json reads JSON (an id is echoed with the bytes
//   it came with, as Go's server echoes it: maybe no UTF-8, or a lone
//   surrogate escape), and serve_message() answers each message exactly once;
// - read as a struct's arguments, the input is declined by the short way
//   (server/jsonrpc/plain_args.hpp) or written as parsing and normalizing write it.
#include "wire/jsonrpc/framer.hpp"
#include "wire/jsonrpc/go_strings.hpp"
#include "server/jsonrpc/serve.hpp"
#include "fuzz_services.hpp"
#include "server/jsonrpc/plain_args.hpp"

#include <plugrpc/json_parse.hpp>

#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

using namespace plugrpc;
using namespace plugrpc::jsonrpc;

namespace {

constexpr std::size_t kMaxBytes = 64 * 1024;
constexpr unsigned kMaxDepth = 64;
const DecodeLimits kLimits{kMaxDepth, 100};

Dispatcher& dispatcher() {
    static Dispatcher* d = [] {
        auto* d = new Dispatcher(1);
        d->publish(fuzz::fuzz_registry());
        return d;
    }();
    return *d;
}

[[noreturn]] void fail(const char* what, std::string_view detail) {
    std::fprintf(stderr, "json_stream_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
    std::abort();
}

void check_reply(std::string_view message, const std::string& reply) {
    if (reply.empty()) return; // notifications only
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(reply, ec);
    std::string go_text;
    if (ec && rewrite_go_strings(reply, go_text)) {
        ec = {};
        v = boost::json::parse(go_text, ec);
    }
    if (ec) fail("a reply is not JSON", reply);
    if (v.is_object()) return;
    if (!v.is_array() || v.as_array().empty()) fail("a reply is neither an object nor a batch", reply);
    for (const auto& e : v.as_array())
        if (!e.is_object()) fail("a batch reply holds a non-object", reply);
    (void)message;
}

// Frames and serves `data` fed in pieces (cycled; empty = all at once);
// returns everything written back.
std::string drive(std::string_view data, const std::vector<std::size_t>& pieces) {
    Framer framer(kMaxBytes, kMaxDepth);
    std::string buffer, out;
    std::size_t at = 0, k = 0;
    for (;;) {
        std::size_t begin = 0, end = 0;
        Framer::Status st = framer.next(buffer, begin, end);
        if (st == Framer::Status::Complete) {
            if (begin > end || end > buffer.size()) fail("a frame out of bounds", buffer);
            std::string_view text = std::string_view(buffer).substr(begin, end - begin);
            if (text.empty() || (text.front() != '{' && text.front() != '[')) fail("a frame is not a value", text);
            int answers = 0;
            std::string reply;
            serve_message(dispatcher(), text, kLimits, [&](std::string_view r, Outcome::Kind) {
                ++answers;
                reply = r;
            });
            if (answers != 1) fail("a message was not answered exactly once", text);
            check_reply(text, reply);
            out += reply;
            out += '\n';
            buffer.erase(0, end);
            continue;
        }
        if (st != Framer::Status::NeedMore) {
            out += "closed: " + std::to_string(static_cast<int>(st));
            return out;
        }
        if (at == data.size()) {
            if (buffer.find_first_not_of(" \t\r\n") != std::string::npos) out += "unfinished";
            return out;
        }
        std::size_t n = pieces.empty() ? data.size() : pieces[k++ % pieces.size()];
        n = std::min(n, data.size() - at);
        buffer.append(data.substr(at, n));
        at += n;
    }
}

// Every kind the short way reads, and Go's Args.
const SchemaPtr& plain_schema(bool mixed) {
    static const SchemaPtr args = parse_schema(std::string_view(fuzz::kArgs)).schema;
    static const SchemaPtr all = parse_schema(std::string_view(
        R"({"type":"object","title":"Mixed","properties":{"I8":{"type":"integer","format":"int8"},)"
        R"("U16":{"type":"integer","format":"uint16"},"I32":{"type":"integer","format":"int32"},)"
        R"("U64":{"type":"integer","format":"uint64"},"A":{"type":"integer","format":"int64"},)"
        R"("Flag":{"type":"boolean"},"Name":{"type":"string"}}})")).schema;
    return mixed ? all : args;
}

void check_plain_args(std::string_view data) {
    for (bool mixed : {false, true}) {
        const Schema& s = *plain_schema(mixed);
        std::string plain;
        if (!normalize_plain_args(data, s, plain)) continue;
        boost::system::error_code ec;
        boost::json::value v = parse_json(data, ec);
        if (ec) fail("the short way read arguments that are no JSON", data);
        std::string general;
        if (!normalize_text(v, s, general).empty()) fail("the short way read arguments the schema refuses", data);
        if (plain != general) fail("the short way wrote other arguments", plain + "\n---\n" + general);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string whole = drive(input, {});
    std::string pieces = drive(input, {1, 2, 5, 3, 11, 1, 7});
    if (whole != pieces) fail("whole and split streams are answered differently", whole + "\n---\n" + pieces);
    check_plain_args(input);
    return 0;
}
