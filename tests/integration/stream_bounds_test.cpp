// The time bounds of stream connections (JSON streams, Go's gob), as a
// peer meets them: header_timeout holds each message from its first byte
// to its last, and only calls and message bytes count as activity, so a
// peer that sends whitespace between JSON values is idle.
#include "daemon.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

using namespace plugrpc::test;

// The whole file in a namespace of its own: the unity build puts several
// test files in one unit.
namespace stream_bounds_test {

using Clock = std::chrono::steady_clock;

long long millis_since(Clock::time_point t) {
    return std::chrono::duration_cast<Millis>(Clock::now() - t).count();
}

// A JSON-RPC 2.0 call of Arith.Multiply whose text is `size` bytes long:
// the rest is whitespace inside the params object, so the whole of it is one
// message under way from its first byte to its last.
std::string padded_call(std::size_t size, int id) {
    std::string head = R"({"jsonrpc":"2.0","method":"Arith.Multiply","id":)" + std::to_string(id) + R"(,"params":{"A":7,)";
    std::string tail = R"("B":8}})";
    return head + std::string(size - head.size() - tail.size(), ' ') + tail;
}

bool try_send(Connection& c, std::string_view data) {
    try {
        c.send(data, 5s);
        return true;
    } catch (const HarnessError&) {
        return false; // the daemon closed the connection
    }
}


TEST_CASE("back-to-back messages each within header_timeout are never cut, however long the stream runs") {
    DaemonOptions o;
    o.extra_config = "[limits]\nheader_timeout = \"1s\"\nidle_timeout = \"60s\"\n";
    Daemon d(o);
    Connection c = Connection::tcp(d.port());

    // 250 kB messages at ~512 KiB/s for ~4 s: each message takes ~0.5 s,
    // half of header_timeout, and every chunk but the first ends inside
    // the next message, so a message is under way the whole time.
    constexpr std::size_t kMessage = 250 * 1000, kChunk = 8 * 1024; // never aligned
    constexpr int kMessages = 8;
    std::string stream;
    for (int i = 1; i <= kMessages; ++i) stream += padded_call(kMessage, i);
    auto start = Clock::now();
    std::size_t sent = 0;
    bool open = true;
    while (sent < stream.size() && open) {
        std::size_t n = std::min(kChunk, stream.size() - sent);
        open = try_send(c, std::string_view(stream).substr(sent, n));
        sent += n;
        std::this_thread::sleep_for(16ms); // 8 KiB / 16 ms = 512 KiB/s
    }
    auto elapsed = millis_since(start);
    int replies = 0;
    try {
        for (; replies < kMessages; ++replies) {
            std::string line = c.recv_line(5s);
            CHECK(line == R"({"jsonrpc":"2.0","result":56,"id":)" + std::to_string(replies + 1) + "}");
        }
    } catch (const HarnessError& e) {
        INFO(e.what());
    }
    std::cout << "back-to-back: " << sent << " bytes in " << elapsed << " ms ("
              << (sent * 1000 / 1024 / std::max<long long>(elapsed, 1)) << " KiB/s), " << replies << " of "
              << kMessages << " calls answered, header_timeout 1000 ms\n";
    CHECK(open);
    CHECK(replies == kMessages);
    CHECK(elapsed >= 3000); // the stream outlived header_timeout three times over
    CHECK(d.log().find("header timeout") == std::string::npos);
}

TEST_CASE("a message that itself trickles past header_timeout is cut, even after messages that did not") {
    DaemonOptions o;
    o.extra_config = "[limits]\nheader_timeout = \"1s\"\nidle_timeout = \"60s\"\n";
    Daemon d(o);
    Connection c = Connection::tcp(d.port());
    c.send(padded_call(64 * 1024, 1));
    CHECK(c.recv_line() == R"({"jsonrpc":"2.0","result":56,"id":1})");
    std::string slow = padded_call(64 * 1024, 2);
    auto start = Clock::now();
    bool open = true;
    for (std::size_t i = 0; i + 1024 < slow.size() && open && millis_since(start) < 4000; i += 1024) {
        open = try_send(c, std::string_view(slow).substr(i, 1024)) && c.quiet_for(200ms); // 5 KiB/s: 13 s a message
    }
    bool closed = !open || c.closed_by_peer(2s);
    std::cout << "trickled message: closed after " << millis_since(start) << " ms, header_timeout 1000 ms\n";
    CHECK(closed);
    CHECK(millis_since(start) < 3000);
}

TEST_CASE("whitespace between JSON values is idleness, not progress") {
    DaemonOptions o;
    o.extra_config = "[limits]\nheader_timeout = \"60s\"\nidle_timeout = \"1s\"\n";
    Daemon d(o);

    SECTION("a peer that only ever sends whitespace is closed after idle_timeout") {
        Connection c = Connection::tcp(d.port());
        auto start = Clock::now();
        bool open = true;
        while (open && millis_since(start) < 5000) open = try_send(c, " ") && c.quiet_for(200ms);
        bool closed = !open || c.closed_by_peer(1s);
        std::cout << "whitespace only: closed after " << millis_since(start) << " ms, idle_timeout 1000 ms\n";
        CHECK(closed);
        CHECK(millis_since(start) < 2500);
    }
    SECTION("after a call, whitespace does not keep the connection open") {
        Connection c = Connection::tcp(d.port());
        c.send_line(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":1})");
        CHECK(c.recv_line() == R"({"jsonrpc":"2.0","result":42,"id":1})");
        auto start = Clock::now();
        bool open = true;
        while (open && millis_since(start) < 5000) open = try_send(c, "\n") && c.quiet_for(200ms);
        bool closed = !open || c.closed_by_peer(1s);
        CHECK(closed);
        CHECK(millis_since(start) < 2500);
    }
    SECTION("calls keep a connection open past idle_timeout") {
        Connection c = Connection::tcp(d.port());
        auto start = Clock::now();
        for (int i = 0; i < 8; ++i) { // 2.4 s of calls, 300 ms apart
            c.send_line(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":1})");
            REQUIRE(c.recv_line() == R"({"jsonrpc":"2.0","result":42,"id":1})");
            std::this_thread::sleep_for(300ms);
        }
        CHECK(millis_since(start) > 2000);
    }
}

TEST_CASE("peers trickling whitespace cannot hold every connection slot") {
    constexpr int kSlots = 20;
    DaemonOptions o;
    o.extra_config = "[limits]\nheader_timeout = \"60s\"\nidle_timeout = \"1s\"\nmax_connections = " +
                     std::to_string(kSlots) + "\n";
    Daemon d(o);
    std::vector<Connection> trickles;
    for (int i = 0; i < kSlots; ++i) trickles.push_back(Connection::tcp(d.port()));
    for (Connection& t : trickles) try_send(t, " ");
    std::this_thread::sleep_for(200ms);
    {
        // The slots are taken: a good client is turned away.
        Connection refused = Connection::tcp(d.port(), 1s);
        REQUIRE(refused.closed_by_peer(1s));
    }
    // Each sends a space every 250 ms (4 bytes/s) while a good client
    // tries to get a slot.
    auto start = Clock::now();
    long long served_after = -1;
    while (millis_since(start) < 6000 && served_after < 0) {
        for (Connection& t : trickles) try_send(t, " ");
        try {
            Connection good = Connection::tcp(d.port(), 1s);
            good.send_line(R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":6,"B":7},"id":1})");
            if (good.recv_line(250ms) == R"({"jsonrpc":"2.0","result":42,"id":1})") served_after = millis_since(start);
        } catch (const HarnessError&) {
            std::this_thread::sleep_for(250ms);
        }
    }
    std::cout << kSlots << " whitespace tricklers on " << kSlots << " slots: a good client served after "
              << served_after << " ms (idle_timeout 1000 ms)\n";
    CHECK(served_after >= 0);
    CHECK(served_after < 3000);
}

} // namespace stream_bounds_test
