// Reads and sends batched over one look (net/batched_io.hpp), on socket
// pairs: each queued operation is made at its flush and its session learns
// the result; an empty or a full socket answers at once, never holds the
// flush.
#include "server/net/batched_io.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

// Each file in its own namespace: unity builds compile several together.
namespace unit_batched_io {

using namespace plugrpc;
using namespace std::chrono_literals;

namespace {

// As the loop sets it while it batches.
struct Batching {
    Batching() { io_loop_detail::state.batching = true; }
    ~Batching() { io_loop_detail::state.batching = false; }
};

// This thread's ring, while batching. up(): the ring is there (without
// it, only the fallback can be tested, elsewhere).
struct Ring {
    static bool up() {
        if (!BatchedIo::available()) WARN("io_uring is not available here");
        return BatchedIo::available();
    }
    BatchedIo batch;
    Batching on;
};

struct Pair {
    Pair() {
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0);
        for (int f : fd) ::fcntl(f, F_SETFL, ::fcntl(f, F_GETFL) | O_NONBLOCK);
    }
    ~Pair() {
        for (int f : fd)
            if (f >= 0) ::close(f);
    }
    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;
    std::string read_peer() {
        std::string got;
        char buf[65536];
        for (ssize_t n; (n = ::recv(fd[1], buf, sizeof buf, MSG_DONTWAIT)) > 0;) got.append(buf, n);
        return got;
    }
    int fd[2] = {-1, -1};
};

struct Sender : std::enable_shared_from_this<Sender> {
    explicit Sender(std::string t) : text(std::move(t)) {}
    bool queue(int fd) { return queue_send(*this, fd, text.data(), text.size()); }
    void sent(int r) {
        results.push_back(r);
        if (again-- > 0) REQUIRE(queue(again_fd)); // queued from sent(): the next flush sends it
    }
    std::string text;
    std::vector<int> results;
    int again = 0;
    int again_fd = -1;
};

struct Reader : std::enable_shared_from_this<Reader> {
    bool queue(int fd) { return queue_recv(*this, fd, buf, sizeof buf); }
    void received(int r) {
        results.push_back(r);
        if (r > 0) got.append(buf, static_cast<std::size_t>(r));
    }
    char buf[8];
    std::string got;
    std::vector<int> results;
};

} // namespace

TEST_CASE_METHOD(Ring, "batched io: recv: each queued read is made at the flush: bytes, -EAGAIN on an empty socket, 0 at the end") {
    if (!up()) return;
    Pair data, empty, ended;
    REQUIRE(::send(data.fd[1], "0123456789", 10, 0) == 10);
    ::shutdown(ended.fd[1], SHUT_WR);
    auto a = std::make_shared<Reader>(), b = std::make_shared<Reader>(), c = std::make_shared<Reader>();
    REQUIRE(a->queue(data.fd[0]));
    REQUIRE(b->queue(empty.fd[0]));
    REQUIRE(c->queue(ended.fd[0]));
    CHECK(BatchedIo::recvs_queued());
    BatchedIo::flush_sends(); // sends only: the reads wait
    CHECK(a->results.empty());
    auto start = std::chrono::steady_clock::now();
    BatchedIo::flush_recvs(); // would hang here if a read waited for bytes
    CHECK(std::chrono::steady_clock::now() - start < 1s);
    CHECK_FALSE(BatchedIo::recvs_queued());
    CHECK(a->results == std::vector<int>{8}); // as much as its buffer holds
    CHECK(a->got == "01234567");
    CHECK(b->results == std::vector<int>{-EAGAIN});
    CHECK(c->results == std::vector<int>{0});
    REQUIRE(a->queue(data.fd[0]));
    BatchedIo::flush_recvs();
    CHECK(a->got == "0123456789");
}

TEST_CASE_METHOD(Ring, "batched io: recv: a cancelled read is not made and comes back -ECANCELED, the others are made") {
    if (!up()) return;
    Pair a, b;
    REQUIRE(::send(a.fd[1], "abc", 3, 0) == 3);
    REQUIRE(::send(b.fd[1], "xyz", 3, 0) == 3);
    auto ra = std::make_shared<Reader>(), rb = std::make_shared<Reader>();
    REQUIRE(ra->queue(a.fd[0]));
    REQUIRE(rb->queue(b.fd[0]));
    cancel_queued_recv(*ra);
    BatchedIo::flush_recvs();
    CHECK(ra->results == std::vector<int>{-ECANCELED});
    CHECK(ra->got.empty());
    char buf[8];
    CHECK(::recv(a.fd[0], buf, sizeof buf, MSG_DONTWAIT) == 3); // still there
    CHECK(rb->results == std::vector<int>{3});
    CHECK(rb->got == "xyz");
    // A batch of cancelled reads only makes no syscall and still answers.
    REQUIRE(ra->queue(a.fd[0]));
    cancel_queued_recv(*ra);
    BatchedIo::flush_recvs();
    CHECK(ra->results == std::vector<int>{-ECANCELED, -ECANCELED});
}

TEST_CASE_METHOD(Ring, "batched io: recv: dropped reads are never made, and their sessions are let go") {
    if (!up()) return;
    Pair p;
    REQUIRE(::send(p.fd[1], "abc", 3, 0) == 3);
    auto r = std::make_shared<Reader>();
    REQUIRE(r->queue(p.fd[0]));
    std::weak_ptr<Reader> held = r;
    r.reset();
    CHECK_FALSE(held.expired());
    BatchedIo::drop_recvs();
    CHECK(held.expired());
    BatchedIo::flush_recvs();
    char buf[8];
    CHECK(::recv(p.fd[0], buf, sizeof buf, MSG_DONTWAIT) == 3); // still there
}

TEST_CASE_METHOD(Ring, "batched io: send: queued sends leave at the flush, and each sender gets its byte count") {
    if (!up()) {
        Pair p;
        auto s = std::make_shared<Sender>("x");
        CHECK_FALSE(s->queue(p.fd[0])); // the fallback: the session sends itself
        return;
    }
    std::vector<std::unique_ptr<Pair>> pairs;
    std::vector<std::shared_ptr<Sender>> senders;
    for (int i = 0; i < 5; ++i) {
        pairs.push_back(std::make_unique<Pair>());
        senders.push_back(std::make_shared<Sender>("reply " + std::to_string(i) + std::string(100 * i, '.')));
        REQUIRE(senders[i]->queue(pairs[i]->fd[0]));
    }
    for (auto& p : pairs) CHECK(p->read_peer().empty()); // nothing before the flush
    std::weak_ptr<Sender> held = senders[4];
    senders[4].reset(); // the batch holds its senders until sent()
    BatchedIo::flush_sends();
    CHECK(held.expired());
    for (int i = 0; i < 4; ++i) {
        REQUIRE(senders[i]->results.size() == 1);
        CHECK(senders[i]->results[0] == static_cast<int>(senders[i]->text.size()));
        CHECK(pairs[i]->read_peer() == senders[i]->text);
    }
    CHECK(pairs[4]->read_peer() == "reply 4" + std::string(400, '.'));
    BatchedIo::flush_sends(); // nothing queued: nothing happens
    for (int i = 0; i < 4; ++i) CHECK(senders[i]->results.size() == 1);
}

TEST_CASE_METHOD(Ring, "batched io: send: a full socket answers at once, short or EAGAIN, and the rest of the batch goes out") {
    if (!up()) return;
    Pair full, free;
    std::string block(65536, 'f');
    while (::send(full.fd[0], block.data(), block.size(), MSG_DONTWAIT) > 0) {
    }
    auto stuck = std::make_shared<Sender>(std::string(200000, 's'));
    auto fine = std::make_shared<Sender>("fine");
    REQUIRE(stuck->queue(full.fd[0]));
    REQUIRE(fine->queue(free.fd[0]));
    auto start = std::chrono::steady_clock::now();
    BatchedIo::flush_sends(); // would hang here if a send waited for room
    CHECK(std::chrono::steady_clock::now() - start < 1s);
    REQUIRE(stuck->results.size() == 1);
    int r = stuck->results[0];
    CHECK((r == -EAGAIN || (r >= 0 && r < static_cast<int>(stuck->text.size()))));
    REQUIRE(fine->results.size() == 1);
    CHECK(fine->results[0] == 4);
    CHECK(free.read_peer() == "fine");
}

TEST_CASE_METHOD(Ring, "batched io: send: an error is a result (a closed peer gives -EPIPE, no SIGPIPE)") {
    if (!up()) return;
    Pair p;
    ::close(p.fd[1]);
    p.fd[1] = -1;
    auto s = std::make_shared<Sender>("to nobody");
    REQUIRE(s->queue(p.fd[0]));
    BatchedIo::flush_sends();
    REQUIRE(s->results.size() == 1);
    CHECK(s->results[0] == -EPIPE);
}

TEST_CASE_METHOD(Ring, "batched io: send: a sender queuing from sent() waits for the next flush, and without batching or room the batch says no") {
    if (!up()) return;
    Pair p;
    auto s = std::make_shared<Sender>("ab");
    io_loop_detail::state.batching = false;
    CHECK_FALSE(s->queue(p.fd[0])); // not batching
    io_loop_detail::state.batching = true;
    s->again = 1;
    s->again_fd = p.fd[0];
    REQUIRE(s->queue(p.fd[0]));
    BatchedIo::flush_sends();
    CHECK(s->results == std::vector<int>{2});
    CHECK(p.read_peer() == "ab");
    BatchedIo::flush_sends();
    CHECK(s->results == std::vector<int>{2, 2});
    CHECK(p.read_peer() == "ab");

    std::vector<std::shared_ptr<Sender>> many;
    std::size_t queued = 0;
    for (int i = 0; i < 1000; ++i) {
        many.push_back(std::make_shared<Sender>("m"));
        if (many.back()->queue(p.fd[0])) ++queued;
    }
    CHECK(queued > 0);
    CHECK(queued < 1000); // the ring's size bounds a look's batch
    BatchedIo::flush_sends();
    CHECK(p.read_peer() == std::string(queued, 'm'));
}

} // namespace unit_batched_io
