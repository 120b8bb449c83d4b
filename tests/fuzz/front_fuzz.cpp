// Fuzz target: the front door — protocol sniffing, the HTTP session (Beast's
// parser with our limits, routing, JSON-RPC POSTs, the debug page, /metrics,
// /openrpc.json), Go's CONNECT handshake, and the gob and JSON stream
// sessions behind them.
//
// That logic lives in socket-driven sessions, so each input is served for
// real, in process: serve_connection() gets one end of a unix socketpair on
// a fresh io_context; the target writes the input from the other end in
// pieces of varying size (so the sniffer and parsers see partial input),
// reads every reply, shuts its write side down and runs the io_context
// until the daemon closes the connection. No threads, no TCP, no files.
//
// Checks, besides the sanitizers:
// - after the peer stopped sending, the daemon closes the connection
//   within a bound (nothing waits forever on a half-closed peer);
// - when the connection is gone, no session and no open-connection count
//   is left behind.
#include "fuzz_services.hpp"
#include "server/net/context.hpp"

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

using namespace plugrpc;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

struct World {
    Dispatcher dispatcher{1};
    ServeContext ctx{dispatcher};

    World() {
        spdlog::set_level(spdlog::level::off);
        dispatcher.publish(fuzz::fuzz_registry());
        auto s = std::make_shared<Settings>();
        s->limits.max_message_bytes = 64 * 1024;
        s->limits.max_json_depth = 64;
        s->limits.max_batch = 100;
        s->limits.max_inflight_per_connection = 8;
        s->limits.idle_timeout = std::chrono::seconds(2);
        s->limits.header_timeout = std::chrono::seconds(2);
        ctx.settings.store(std::move(s));
    }
};

World& world() {
    static World* w = new World; // never destroyed: the dispatcher's pool outlives every input
    return *w;
}

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "front_fuzz: %s\n", what);
    std::abort();
}

// Reads what the daemon wrote; false once it closed its end.
bool drain_replies(int fd) {
    char buf[64 * 1024];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) continue;
        if (n == 0) return false;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
        return false; // ECONNRESET: closed too
    }
}

void run_ready(asio::io_context& ioc) {
    ioc.restart();
    ioc.poll();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    World& w = world();
    std::string_view input(reinterpret_cast<const char*>(data), size);
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) fail("socketpair");
    int client = sv[1];
    {
        asio::io_context ioc;
        Socket server(ioc);
        server.assign(asio::generic::stream_protocol(AF_UNIX, SOCK_STREAM), sv[0]);
        serve_connection(std::move(server), w.ctx);

        // Write in pieces, letting the daemon run between them.
        static constexpr std::size_t kPieces[] = {3, 1, 64, 7, 512, 2, 4096};
        bool open = true;
        std::size_t at = 0;
        for (std::size_t k = 0; open && at < input.size(); ++k) {
            std::size_t n = std::min(kPieces[k % std::size(kPieces)], input.size() - at);
            ssize_t sent = ::send(client, input.data() + at, n, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent > 0) at += static_cast<std::size_t>(sent);
            else if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) break; // daemon closed
            run_ready(ioc);
            open = drain_replies(client);
        }
        ::shutdown(client, SHUT_WR);

        auto deadline = Clock::now() + std::chrono::seconds(10);
        while (open) {
            ioc.restart();
            ioc.run_one_for(std::chrono::milliseconds(50));
            open = drain_replies(client);
            if (open && Clock::now() > deadline) fail("the daemon did not close a connection whose peer shut down");
        }
        run_ready(ioc);
    } // the io_context goes, with any handler still queued
    ::close(client);
    if (w.ctx.sessions.size() != 0) fail("a session outlived its connection");
    if (w.ctx.connections.total() != 0) fail("an open-connection count outlived its connection");
    return 0;
}
