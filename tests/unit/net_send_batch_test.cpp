// Sends batched over one look (net/send_batch.hpp), on socket pairs: each
// queued send goes out at the flush and its sender learns the result; a
// full socket answers at once, never holds the flush.
#include "net/send_batch.hpp"

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
namespace unit_send_batch {

using namespace plugrpc;
using namespace std::chrono_literals;

namespace {

// As the loop sets it while it batches.
struct Batching {
    Batching() { io_loop_detail::state.batching = true; }
    ~Batching() { io_loop_detail::state.batching = false; }
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

} // namespace

TEST_CASE("send batch: queued sends leave at the flush, and each sender gets its byte count") {
    SendBatch batch;
    if (!SendBatch::available()) {
        WARN("io_uring is not available here: only the fallback is tested");
        Batching on;
        Pair p;
        auto s = std::make_shared<Sender>("x");
        CHECK_FALSE(s->queue(p.fd[0]));
        return;
    }
    Batching on;
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
    SendBatch::flush();
    CHECK(held.expired());
    for (int i = 0; i < 4; ++i) {
        REQUIRE(senders[i]->results.size() == 1);
        CHECK(senders[i]->results[0] == static_cast<int>(senders[i]->text.size()));
        CHECK(pairs[i]->read_peer() == senders[i]->text);
    }
    CHECK(pairs[4]->read_peer() == "reply 4" + std::string(400, '.'));
    SendBatch::flush(); // nothing queued: nothing happens
    for (int i = 0; i < 4; ++i) CHECK(senders[i]->results.size() == 1);
}

TEST_CASE("send batch: a full socket answers at once, short or EAGAIN, and the rest of the batch goes out") {
    SendBatch batch;
    if (!SendBatch::available()) {
        WARN("io_uring is not available here");
        return;
    }
    Batching on;
    Pair full, free;
    std::string block(65536, 'f');
    while (::send(full.fd[0], block.data(), block.size(), MSG_DONTWAIT) > 0) {
    }
    auto stuck = std::make_shared<Sender>(std::string(200000, 's'));
    auto fine = std::make_shared<Sender>("fine");
    REQUIRE(stuck->queue(full.fd[0]));
    REQUIRE(fine->queue(free.fd[0]));
    auto start = std::chrono::steady_clock::now();
    SendBatch::flush(); // would hang here if a send waited for room
    CHECK(std::chrono::steady_clock::now() - start < 1s);
    REQUIRE(stuck->results.size() == 1);
    int r = stuck->results[0];
    CHECK((r == -EAGAIN || (r >= 0 && r < static_cast<int>(stuck->text.size()))));
    REQUIRE(fine->results.size() == 1);
    CHECK(fine->results[0] == 4);
    CHECK(free.read_peer() == "fine");
}

TEST_CASE("send batch: an error is a result (a closed peer gives -EPIPE, no SIGPIPE)") {
    SendBatch batch;
    if (!SendBatch::available()) {
        WARN("io_uring is not available here");
        return;
    }
    Batching on;
    Pair p;
    ::close(p.fd[1]);
    p.fd[1] = -1;
    auto s = std::make_shared<Sender>("to nobody");
    REQUIRE(s->queue(p.fd[0]));
    SendBatch::flush();
    REQUIRE(s->results.size() == 1);
    CHECK(s->results[0] == -EPIPE);
}

TEST_CASE("send batch: a sender queuing from sent() waits for the next flush, and without batching or room the batch says no") {
    SendBatch batch;
    if (!SendBatch::available()) {
        WARN("io_uring is not available here");
        return;
    }
    Pair p;
    auto s = std::make_shared<Sender>("ab");
    CHECK_FALSE(s->queue(p.fd[0])); // not batching
    Batching on;
    s->again = 1;
    s->again_fd = p.fd[0];
    REQUIRE(s->queue(p.fd[0]));
    SendBatch::flush();
    CHECK(s->results == std::vector<int>{2});
    CHECK(p.read_peer() == "ab");
    SendBatch::flush();
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
    SendBatch::flush();
    CHECK(p.read_peer() == std::string(queued, 'm'));
}

} // namespace unit_send_batch
