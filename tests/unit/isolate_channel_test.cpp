// The framing of an isolated plugin's channel (isolate/channel.hpp): frames
// cross a pipe whole, in order, however the reads cut them; a frame that
// announces more than the bound breaks the stream; the writer's queue is
// bounded, says when its reader is gone, and neither end keeps the memory
// a large frame needed once it has passed. A pipe, no process, no socket.
#include "server/isolate/channel.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace unit_isolate_channel {

using namespace plugrpc::isolate;

struct Pipe {
    int r = -1, w = -1;
    Pipe() {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0);
        r = fds[0];
        w = fds[1];
    }
    ~Pipe() {
        if (r >= 0) ::close(r);
        if (w >= 0) ::close(w);
    }
};

FrameHeader call(std::uint64_t id, std::uint32_t method) {
    FrameHeader h{};
    h.kind = FrameKind::Call;
    h.id = id;
    h.method = method;
    h.deadline_ns = 12345;
    return h;
}

// Read (from `fd`) and write by turns until a frame larger than the pipe
// is through: the size of its payload (0 if it never came).
std::size_t pass_through(Reader& in, Writer& out, int fd, FrameHeader& h, std::string_view& payload) {
    for (int turns = 0; turns < 10000; ++turns) {
        auto r = in.fill(fd);
        REQUIRE((r == Reader::Fill::Read || r == Reader::Fill::Nothing));
        if (in.next(h, payload)) return payload.size();
        out.flush();
    }
    return 0;
}

TEST_CASE("channel: frames cross a pipe whole and in order, their header fields kept", "[isolate]") {
    Pipe p;
    Writer out(p.w);
    Reader in;
    for (std::uint64_t i = 1; i <= 100; ++i) REQUIRE(out.send(call(i, std::uint32_t(i % 7)), std::string(i, 'x')));
    CHECK_FALSE(out.pending());
    REQUIRE(in.fill(p.r) == Reader::Fill::Read);
    FrameHeader h{};
    std::string_view payload;
    for (std::uint64_t i = 1; i <= 100; ++i) {
        REQUIRE(in.next(h, payload));
        CHECK(h.kind == FrameKind::Call);
        CHECK(h.id == i);
        CHECK(h.method == i % 7);
        CHECK(h.deadline_ns == 12345);
        CHECK(payload == std::string(i, 'x'));
    }
    CHECK_FALSE(in.next(h, payload));
    CHECK_FALSE(in.broken());
}

TEST_CASE("channel: a read says whether bytes came, none are there yet, or the writer closed", "[isolate]") {
    Pipe p;
    Reader in;
    CHECK(in.fill(p.r) == Reader::Fill::Nothing);
    REQUIRE(::write(p.w, "x", 1) == 1);
    CHECK(in.fill(p.r) == Reader::Fill::Read); // one byte: not to be taken for "nothing"
    ::close(p.w);
    p.w = -1;
    CHECK(in.fill(p.r) == Reader::Fill::End);
    CHECK(in.fill(-1) == Reader::Fill::Failed);
}

TEST_CASE("channel: a frame cut across reads comes out once it is whole", "[isolate]") {
    Reader in;
    FrameHeader h = call(9, 1);
    std::string payload(100000, 'p');
    h.size = static_cast<std::uint32_t>(payload.size());
    std::string bytes(reinterpret_cast<const char*>(&h), sizeof h);
    bytes += payload;
    FrameHeader got{};
    std::string_view seen;
    for (std::size_t at = 0; at < bytes.size();) {
        CHECK_FALSE(in.next(got, seen));
        auto room = in.room();
        std::size_t n = std::min<std::size_t>({room.size(), bytes.size() - at, 7000});
        std::memcpy(room.data(), bytes.data() + at, n);
        in.commit(n);
        at += n;
    }
    REQUIRE(in.next(got, seen));
    CHECK(got.id == 9);
    CHECK(seen == payload);
}

TEST_CASE("channel: a frame announcing more than the bound breaks the stream", "[isolate]") {
    // The daemon's bound on what a child sends, and a reader given a larger
    // one (the child's, for calls as large as max_message_bytes lets in).
    std::uint32_t bound = GENERATE(kMaxFramePayload, std::uint32_t(kMaxFramePayload + 1000));
    for (std::uint32_t size : {bound, bound + 1}) {
        INFO("bound " << bound << ", frame " << size);
        Reader in(bound);
        FrameHeader h = call(1, 0);
        h.size = size;
        auto room = in.room();
        std::memcpy(room.data(), &h, sizeof h);
        in.commit(sizeof h);
        FrameHeader got{};
        std::string_view seen;
        CHECK_FALSE(in.next(got, seen)); // the payload is still to come, or never will be
        CHECK(in.broken() == (size > bound));
    }
}

TEST_CASE("channel: the writer's queue is bounded, and a reader gone makes it fail, not kill", "[isolate]") {
    std::signal(SIGPIPE, SIG_IGN); // as spawn_child() sets it in the daemon
    Pipe p;
    Writer out(p.w, -1, 1u << 20);
    std::string big(300u << 10, 'b');
    // The pipe takes some, the queue the rest, up to its bound.
    int sent = 0;
    while (sent < 100 && out.send(call(1, 0), big)) ++sent;
    CHECK(sent < 100);
    CHECK(out.pending());
    CHECK_FALSE(out.failed());
    ::close(p.r);
    p.r = -1;
    CHECK_FALSE(out.flush());
    CHECK(out.failed());
    CHECK_FALSE(out.send(call(2, 0), "x"));
}

TEST_CASE("channel: the bound is on what waits, so a frame larger than it crosses whole", "[isolate]") {
    // A call as large as max_message_bytes lets in (up to 4 GiB) must
    // reach the plugin's process, whatever the queue's bound.
    Pipe p;
    Writer out(p.w, -1, 1u << 20);
    std::string big(3u << 20, 'B');
    REQUIRE(out.send(call(1, 0), big)); // the pipe takes 64 KiB, the queue the rest
    CHECK(out.pending());
    // Over the bound now: nothing more is queued until the reader takes some.
    CHECK_FALSE(out.send(call(2, 0), "x"));
    CHECK_FALSE(out.failed());
    Reader in;
    FrameHeader h{};
    std::string_view payload;
    CHECK(pass_through(in, out, p.r, h, payload) == big.size());
    CHECK(h.id == 1);
    REQUIRE(out.send(call(3, 0), "after"));
    REQUIRE(in.fill(p.r) == Reader::Fill::Read);
    REQUIRE(in.next(h, payload));
    CHECK(h.id == 3);
    CHECK(payload == "after");
}

TEST_CASE("channel: neither end keeps the memory a large frame needed once it has passed", "[isolate]") {
    Pipe p;
    ::fcntl(p.w, F_SETPIPE_SZ, 1 << 20);
    Writer out(p.w);
    Reader in;
    std::string big(16u << 20, 'L');
    REQUIRE(out.send(call(1, 0), big));
    FrameHeader h{};
    std::string_view payload;
    REQUIRE(pass_through(in, out, p.r, h, payload) == big.size());
    CHECK_FALSE(out.pending());
    CHECK(in.capacity() >= big.size()); // it held the whole frame
    // The next small frame: both ends are back to their usual size.
    REQUIRE(out.send(call(2, 0), "small"));
    CHECK(out.capacity() <= kKeptBuffer);
    REQUIRE(in.fill(p.r) == Reader::Fill::Read);
    REQUIRE(in.next(h, payload));
    CHECK(payload == "small");
    CHECK(in.capacity() <= kKeptBuffer);
}

} // namespace unit_isolate_channel
