// Fuzz target: Go's gob request stream, driven as server/net/gob_session.cpp
// drives it. The input is the byte stream a client sends (type definitions,
// Request headers, argument values).
//
// Checks, besides the sanitizers:
// - the decoder behaves the same whether the stream arrives whole or in
//   small pieces (the sequence of headers, bodies and the fatal error);
// - every body it decodes is canonical for its schema (normalize() keeps it
//   as it is);
// - the reply for every call can be encoded (a method's reply, or the
//   error reply with its empty struct);
// - read as a Request header's payload, the input is declined by the short
//   way (read_plain_request_header) or read as the general decoder reads it.
#include "wire/gob/decoder.hpp"
#include "wire/gob/encoder.hpp"
#include "wire/gob/input.hpp"
#include "wire/gob/netrpc_headers.hpp"
#include "wire/gob/skip.hpp"
#include "wire/gob/value_decoder.hpp"
#include "fuzz_services.hpp"

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

using namespace plugrpc;
using Step = gob::RequestDecoder::Step;

namespace {

constexpr std::size_t kLimit = 64 * 1024;

struct World {
    Dispatcher dispatcher{1};
    SchemaPtr everything = parse_schema(std::string_view(fuzz::kEverything)).schema;
    World() { dispatcher.publish(fuzz::fuzz_registry()); }
};

World& world() {
    static World w;
    return w;
}

[[noreturn]] void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "gob_request_fuzz: %s: %s\n", what, detail.c_str());
    std::abort();
}

// A record of what the decoder reported, to compare two runs.
struct Run {
    std::vector<std::string> events;
    std::string replies;
    gob::ResponseEncoder enc;

    void body(gob::RequestDecoder& dec) {
        World& w = world();
        std::string name = dec.service_method();
        std::uint64_t seq = dec.seq();
        Lookup found = w.dispatcher.registry()->find(name);
        if (!found.method) {
            // Go's server skips the body of an unknown method; half the time
            // decode it for the kitchen-sink type instead, to reach the
            // value decoder with any method name.
            if (seq % 2 == 0) {
                dec.skip_body();
                events.push_back("skip");
                enc.encode(replies, name, seq, found.error, nullptr, nullptr);
                return;
            }
            auto b = dec.body_as(*w.everything);
            check(b, *w.everything);
            enc.encode(replies, name, seq, b.error, &b.value, w.everything.get());
            return;
        }
        auto b = dec.body_as(*found.method->args);
        check(b, *found.method->args);
        if (!b.ok()) {
            enc.encode(replies, name, seq, b.error, nullptr, nullptr);
            return;
        }
        MethodPtr m = found.method;
        bool answered = false;
        w.dispatcher.invoke(std::move(found.method), std::move(b.value), [&](Outcome&& o) {
            answered = true;
            enc.encode(replies, name, seq, o.ok() ? "" : o.error, &o.result, m->reply.get());
            events.push_back(o.ok() ? "ok " + boost::json::serialize(o.result) : "error " + o.error);
        });
        if (!answered) fail("a call was not answered inline", name);
    }

    void check(const gob::RequestDecoder::BodyResult& b, const Schema& schema) {
        events.push_back("body " + (b.ok() ? boost::json::serialize(b.value) : "error " + b.error));
        if (!b.ok()) {
            if (!b.value.is_null()) fail("a failed body has a value", b.error);
            return;
        }
        NormalizeResult n = normalize(b.value, schema);
        if (!n.ok()) fail("a decoded body does not fit its schema", n.error + ": " + boost::json::serialize(b.value));
        // Compared as text: NaN (which gob carries) is not equal to itself.
        std::string decoded = boost::json::serialize(b.value), normalized = boost::json::serialize(n.value);
        if (decoded != normalized) fail("a decoded body is not canonical", decoded + " normalizes to " + normalized);
    }

    // Feeds `data` in pieces of the given sizes (cycled; 0 = all at once).
    void drive(std::string_view data, const std::vector<std::size_t>& pieces) {
        gob::RequestDecoder dec(kLimit);
        std::size_t at = 0, k = 0;
        for (;;) {
            Step s = dec.next();
            switch (s) {
            case Step::NeedMore: {
                if (at == data.size()) {
                    events.push_back("end, buffered " + std::to_string(dec.buffered()));
                    return;
                }
                std::size_t n = pieces.empty() ? data.size() : pieces[k++ % pieces.size()];
                n = std::min(n, data.size() - at);
                dec.feed(data.substr(at, n));
                at += n;
                // Memory held: the value being received (at most the limit
                // over its messages, plus their length prefixes) and the
                // bytes just fed.
                if (!pieces.empty() && dec.buffered() > 2 * kLimit + n)
                    fail("the decoder holds more than one value", std::to_string(dec.buffered()));
                break;
            }
            case Step::Header:
                events.push_back("header " + dec.service_method() + " " + std::to_string(dec.seq()));
                break;
            case Step::Body: body(dec); break;
            case Step::Fatal:
                events.push_back("fatal " + dec.fatal_error());
                if (dec.fatal_error().empty()) fail("Fatal without a reason", "");
                if (dec.next() != Step::Fatal) fail("Fatal is not final", dec.fatal_error());
                return;
            }
            if (events.size() > 100000) fail("too many events", std::to_string(events.size()));
        }
    }
};

void check_plain_header(std::string_view payload) {
    static gob::TypeTable types = [] {
        gob::TypeTable t;
        gob::WireType request;
        request.kind = gob::WireKind::Struct;
        request.name = "Request";
        request.fields = {{"ServiceMethod", gob::kString}, {"Seq", gob::kUint}};
        t.define(65, request, 0);
        return t;
    }();
    std::string_view method;
    std::uint64_t seq = 0;
    if (!gob::read_plain_request_header(types, 65, payload, method, seq)) return;
    std::vector<std::string_view> msgs{payload};
    gob::ValueInput in(msgs);
    gob::Walk w{types, in, false};
    try {
        boost::json::value v = gob::decode_top_value(w, 65, gob::request_header_schema());
        if (v.at("ServiceMethod").as_string() != method || v.at("Seq").as_uint64() != seq)
            fail("the short way read another header", std::string(payload));
    } catch (const gob::Error& e) {
        fail("the short way read a header the general decoder refuses", e.what());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    Run whole, pieces;
    whole.drive(input, {});
    pieces.drive(input, {1, 3, 2, 7, 1, 13, 5});
    if (whole.events != pieces.events) {
        std::string a, b;
        for (auto& e : whole.events) a += e + "\n";
        for (auto& e : pieces.events) b += e + "\n";
        fail("whole and split streams decode differently", "whole:\n" + a + "split:\n" + b);
    }
    if (whole.replies != pieces.replies) fail("whole and split streams encode different replies", "");
    check_plain_header(input);
    return 0;
}
