// The call path without sockets: bytes of a request in, bytes of the reply
// out, through the same public functions the sessions use —
//
//   JSON: Framer::next (json_session) -> jsonrpc::serve_message (decode,
//         Dispatcher::call, encode_reply)
//   gob:  RequestDecoder feed/next/plain_body_text or body_into (gob_session) -> Registry::find ->
//         Dispatcher::prepare/start -> ResponseEncoder::encode_cached
//
// — and into the real arith.so's Arith.Multiply through the plugin ABI.
// Every reply is checked. What is left out is only the socket and the
// session's move back to its own thread.
//
//   bench_micro [--arith PATH] [Google Benchmark flags]
//
// PATH defaults to the arith.so built next to this program (or
// $PLUGRPC_ARITH_SO). The counter allocs/call is the number of operator new
// calls per iteration, the plugin's included (its references to operator
// new bind to this program's replacement; plain malloc is not counted).
#include "wire/gob/decoder.hpp"
#include "wire/gob/encoder.hpp"
#include "wire/jsonrpc/framer.hpp"
#include "server/jsonrpc/serve.hpp"
#include "server/plugin/loaded_plugin.hpp"
#include "server/rpc/dispatcher.hpp"

#include <benchmark/benchmark.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace plugrpc;

// ---- counting allocations ----------------------------------------------------------------

namespace {
std::atomic<std::uint64_t> g_allocs{0};
}

// GCC sees free() of memory from this very operator new as a mismatch.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
    g_allocs.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace {

// Sets the allocs/call counter over the iterations of `state`.
struct AllocCounter {
    benchmark::State& state;
    std::uint64_t start = g_allocs.load(std::memory_order_relaxed);
    ~AllocCounter() {
        auto n = g_allocs.load(std::memory_order_relaxed) - start;
        if (state.iterations() > 0)
            state.counters["allocs/call"] = static_cast<double>(n) / static_cast<double>(state.iterations());
    }
};

std::string g_arith_path = PLUGRPC_BENCH_ARITH;

[[noreturn]] void die(const std::string& why) {
    std::fprintf(stderr, "bench_micro: %s\n", why.c_str());
    std::exit(2);
}

// The daemon's state for one benchmark run: arith.so loaded, a registry
// snapshot published to a dispatcher.
struct Host {
    Dispatcher dispatcher{1};

    Host() {
        LoadResult r = load_plugin(g_arith_path, boost::json::object{});
        if (!r.plugin) die(g_arith_path + ": " + r.error);
        auto registry = std::make_shared<Registry>();
        std::string error;
        if (!registry->add_plugin(r.plugin, error)) die(error);
        dispatcher.publish(std::move(registry));
    }
};

Host& host() {
    static Host h;
    return h;
}

struct Operands {
    std::int64_t a, b;
};

// Varying arguments, as the load generator sends them.
std::vector<Operands> operands(std::size_t n) {
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<std::int64_t> d(-(1 << 20), 1 << 20);
    std::vector<Operands> v(n);
    for (auto& o : v) o = {d(rng), d(rng)};
    return v;
}

constexpr std::size_t kVariants = 256;

// ---- JSON ----------------------------------------------------------------------------

enum class Shape { V2, Go };

std::string json_request(Shape shape, Operands o, std::uint64_t id) {
    std::string a = std::to_string(o.a), b = std::to_string(o.b), i = std::to_string(id);
    if (shape == Shape::V2)
        return R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":)" + a + R"(,"B":)" + b + R"(},"id":)" + i +
               "}\n";
    return R"({"method":"Arith.Multiply","params":[{"A":)" + a + R"(,"B":)" + b + R"(}],"id":)" + i + "}\n";
}

std::string json_reply(Shape shape, Operands o, std::uint64_t id) {
    std::string r = std::to_string(o.a * o.b), i = std::to_string(id);
    if (shape == Shape::V2) return R"({"jsonrpc":"2.0","result":)" + r + R"(,"id":)" + i + "}";
    return R"({"id":)" + i + R"(,"result":)" + r + R"(,"error":null})";
}

void json_call_path(benchmark::State& state, Shape shape) {
    Host& h = host();
    const jsonrpc::DecodeLimits limits{};
    auto ops = operands(kVariants);
    std::vector<std::string> requests, replies;
    for (std::size_t i = 0; i < kVariants; ++i) {
        requests.push_back(json_request(shape, ops[i], i + 1));
        replies.push_back(json_reply(shape, ops[i], i + 1));
    }
    jsonrpc::Framer framer(4u << 20, 64);
    std::string reply;
    std::size_t i = 0, wrong = 0;
    AllocCounter allocs{state};
    for (auto _ : state) {
        std::string_view in = requests[i];
        std::size_t begin = 0, end = 0;
        if (framer.next(in, begin, end) != jsonrpc::Framer::Status::Complete) die("framer: not complete");
        jsonrpc::serve_message(h.dispatcher, in.substr(begin, end - begin), limits,
                               [&reply](std::string_view out, Outcome::Kind) { reply.assign(out); });
        wrong += reply != replies[i];
        benchmark::DoNotOptimize(reply.data());
        i = (i + 1) % kVariants;
    }
    if (wrong) state.SkipWithError("wrong replies");
    state.SetItemsProcessed(state.iterations());
}

void BM_Json2_Multiply(benchmark::State& state) { json_call_path(state, Shape::V2); }
void BM_JsonGo_Multiply(benchmark::State& state) { json_call_path(state, Shape::Go); }

// ---- gob -----------------------------------------------------------------------------

void put_uint(std::string& s, std::uint64_t v) {
    if (v < 128) {
        s += static_cast<char>(v);
        return;
    }
    char bytes[8];
    int n = 0;
    for (; v; v >>= 8) bytes[n++] = static_cast<char>(v & 0xff);
    s += static_cast<char>(-n);
    while (n) s += bytes[--n];
}

void put_int(std::string& s, std::int64_t i) {
    std::uint64_t u = i < 0 ? (~static_cast<std::uint64_t>(i) << 1) | 1 : static_cast<std::uint64_t>(i) << 1;
    put_uint(s, u);
}

void put_message(std::string& s, const std::string& payload) {
    put_uint(s, payload.size());
    s += payload;
}

// The type definitions Go's client sends before its first Request and
// Args (see NETRPC.md): Request is type 65, Args type 66.
std::string gob_bytes(std::initializer_list<int> bytes) {
    std::string s;
    for (int b : bytes) s += static_cast<char>(b);
    return s;
}
const std::string kRequestType = gob_bytes(
    {0x2f, 0xff, 0x81, 0x03, 0x01, 0x01, 0x07, 'R', 'e', 'q', 'u', 'e', 's', 't', 0x01, 0xff, 0x82, 0x00, 0x01,
     0x02, 0x01, 0x0d, 'S', 'e', 'r', 'v', 'i', 'c', 'e', 'M', 'e', 't', 'h', 'o', 'd', 0x01, 0x0c, 0x00, 0x01,
     0x03, 'S', 'e', 'q', 0x01, 0x06, 0x00, 0x00, 0x00});
const std::string kArgsType = gob_bytes({0x1e, 0xff, 0x83, 0x03, 0x01, 0x01, 0x04, 'A', 'r', 'g', 's', 0x01, 0xff,
                                         0x84, 0x00, 0x01, 0x02, 0x01, 0x01, 'A', 0x01, 0x04, 0x00, 0x01, 0x01, 'B',
                                         0x01, 0x04, 0x00, 0x00, 0x00});

std::string gob_header(std::uint64_t seq) {
    std::string p;
    put_int(p, 65);
    put_uint(p, 1); // field 0, ServiceMethod
    put_uint(p, 14);
    p += "Arith.Multiply";
    if (seq) {
        put_uint(p, 1); // field 1, Seq
        put_uint(p, seq);
    }
    put_uint(p, 0);
    std::string s;
    put_message(s, p);
    return s;
}

std::string gob_args(Operands o) {
    std::string p;
    put_int(p, 66);
    int last = -1;
    if (o.a) {
        put_uint(p, 0 - last);
        put_int(p, o.a);
        last = 0;
    }
    if (o.b) {
        put_uint(p, 1 - last);
        put_int(p, o.b);
    }
    put_uint(p, 0);
    std::string s;
    put_message(s, p);
    return s;
}

// gob_session's handle(), minus the hop back to the session's thread.
struct GobConnection {
    explicit GobConnection(Dispatcher& d) : dispatcher(d) {}

    Dispatcher& dispatcher;
    gob::RequestDecoder dec{4u << 20};
    gob::ResponseEncoder enc;
    std::string out;
    std::string args_text; // as the session's Scratch
    std::int64_t last_result = 0;

    // Feed one request's bytes and serve it; false if it did not come out whole.
    bool serve(std::string_view bytes) {
        dec.feed(bytes);
        for (;;) {
            switch (dec.next()) {
            case gob::RequestDecoder::Step::NeedMore: return true;
            case gob::RequestDecoder::Step::Header: break;
            case gob::RequestDecoder::Step::Body: handle(); break;
            case gob::RequestDecoder::Step::Fatal: die("gob: " + dec.fatal_error());
            }
        }
    }

    void handle() {
        const std::string& method_name = dec.service_method();
        std::uint64_t seq = dec.seq();
        Lookup found = dispatcher.registry()->find(method_name);
        if (!found.method) die(found.error);
        MethodPtr method = found.method;
        Call* call = dispatcher.prepare(std::move(found.method), [this, method, seq, name = method_name](Outcome&& o) {
            if (o.ok() && o.result.is_int64()) last_result = o.result.get_int64();
            enc.encode_cached(out, name, seq, o.ok() ? "" : o.error, &o.result, method->reply);
        });
        std::string error;
        args_text.clear();
        if (dec.plain_body_text(method->args, args_text)) call->set_args_text(args_text);
        else error = dec.body_into(method->args, call->args);
        if (!error.empty()) die(error);
        dispatcher.start(call);
    }
};

void BM_Gob_Multiply(benchmark::State& state) {
    Host& h = host();
    auto ops = operands(kVariants);
    std::vector<std::string> requests;
    for (std::size_t i = 0; i < kVariants; ++i) requests.push_back(gob_header(i + 1) + gob_args(ops[i]));

    GobConnection conn(h.dispatcher);
    // The connection's first call carries the type definitions.
    conn.serve(kRequestType + gob_header(0) + kArgsType + gob_args({7, 8}));
    if (conn.last_result != 56) die("gob: the first call did not return 56");
    std::size_t i = 0, wrong = 0;
    AllocCounter allocs{state};
    for (auto _ : state) {
        conn.out.clear();
        conn.serve(requests[i]);
        wrong += conn.last_result != ops[i].a * ops[i].b || conn.out.empty();
        benchmark::DoNotOptimize(conn.out.data());
        i = (i + 1) % kVariants;
    }
    if (wrong) state.SkipWithError("wrong replies");
    state.SetItemsProcessed(state.iterations());
}

// ---- the dispatcher alone ---------------------------------------------------------------

// Registry lookup, the ABI crossing into arith.so and back, with the
// argument already decoded: what all the codecs share.
void BM_Dispatch_Multiply(benchmark::State& state) {
    Host& h = host();
    auto ops = operands(kVariants);
    std::vector<boost::json::value> args;
    for (auto o : ops) args.push_back(boost::json::value{{"A", o.a}, {"B", o.b}});
    std::size_t i = 0, wrong = 0;
    std::int64_t result = 0;
    AllocCounter allocs{state};
    for (auto _ : state) {
        Lookup found = h.dispatcher.registry()->find("Arith.Multiply");
        h.dispatcher.invoke(std::move(found.method), args[i], [&result](Outcome&& o) {
            result = o.ok() && o.result.is_int64() ? o.result.get_int64() : -1;
        });
        wrong += result != ops[i].a * ops[i].b;
        i = (i + 1) % kVariants;
    }
    if (wrong) state.SkipWithError("wrong replies");
    state.SetItemsProcessed(state.iterations());
}

// ---- decoding alone ---------------------------------------------------------------------

// jsonrpc::decode() into a stack arena, as serve_message() calls it: a
// request the short way reads; one only the whole parse reads (an escaped
// key, an id with HTML in it); and one whose strings Go reads with U+FFFD,
// refused by the strict parse and read again (wire/jsonrpc/go_strings.hpp).
void BM_Decode(benchmark::State& state, std::string text) {
    const jsonrpc::DecodeLimits limits{};
    std::size_t wrong = 0;
    AllocCounter allocs{state};
    for (auto _ : state) {
        unsigned char block[4096];
        boost::json::monotonic_resource arena(block, sizeof block);
        jsonrpc::Message m = jsonrpc::decode(text, limits, &arena);
        wrong += m.error_code != 0 || m.requests.size() != 1;
        benchmark::DoNotOptimize(m.requests.data());
    }
    if (wrong) state.SkipWithError("not decoded");
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK_CAPTURE(BM_Decode, plain, std::string(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})"));
BENCHMARK_CAPTURE(BM_Decode, whole, std::string(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"\u0041":7,"B":8},"id":"x<y","x":0})"));
BENCHMARK_CAPTURE(BM_Decode, not_utf8, std::string("{\"jsonrpc\":\"2.0\",\"method\":\"Arith.Multiply\",\"params\":{\"A\":7,\"B\":8,\"C\":\"\xff\\udc80\"},\"id\":\"x<y\"}"));
BENCHMARK(BM_Json2_Multiply);
BENCHMARK(BM_JsonGo_Multiply);
BENCHMARK(BM_Gob_Multiply);
BENCHMARK(BM_Dispatch_Multiply);

int main(int argc, char** argv) {
    if (const char* env = std::getenv("PLUGRPC_ARITH_SO")) g_arith_path = env;
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--arith") == 0 && i + 1 < argc) g_arith_path = argv[++i];
        else rest.push_back(argv[i]);
    }
    int n = static_cast<int>(rest.size());
    benchmark::Initialize(&n, rest.data());
    if (benchmark::ReportUnrecognizedArguments(n, rest.data())) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
