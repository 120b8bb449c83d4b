// Batching by delay ([server] batch_wait, net/io_loop.hpp) in the real
// daemon: with calls coming on many connections at once the network
// threads batch (the /metrics counter moves), and every call is still
// answered, in each connection's order, whatever the protocol or the
// thread a method finishes on.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <csignal>
#include <sys/socket.h>
#include <sstream>
#include <chrono>
#include <thread>

using namespace plugrpc::test;

namespace {

// A counter of /metrics, by its name and labels as written there.
std::uint64_t counter(std::uint16_t port, const std::string& series) {
    HttpClient admin(port);
    std::istringstream in(admin.get("/metrics").body);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(series + " ", 0) == 0) return std::stoull(line.substr(series.size() + 1));
    FAIL("no " << series << " in /metrics");
    return 0;
}

std::uint64_t batched_looks(std::uint16_t port) { return counter(port, "plugrpc_batched_looks_total"); }

std::string multiply(long a, long b, long id) {
    return R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":)" + std::to_string(a) + R"(,"B":)" +
           std::to_string(b) + R"(},"id":)" + std::to_string(id) + "}";
}

std::string product(long a, long b, long id) {
    return R"({"jsonrpc":"2.0","result":)" + std::to_string(a * b) + R"(,"id":)" + std::to_string(id) + "}";
}

// Each connection in a thread of its own sends `depth` calls at a time,
// `rounds` times, and checks every reply, in order, each within `timeout`.
// Returns the number of wrong replies.
int pipelined_load(std::vector<Connection>& conns, int depth, int rounds, Millis timeout = 5s) {
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < conns.size(); ++k)
        threads.emplace_back([&, k] {
            Connection& c = conns[k];
            long id = static_cast<long>(k) * 1000000;
            try {
                for (int r = 0; r < rounds; ++r) {
                    std::string batch;
                    for (int i = 0; i < depth; ++i) batch += multiply(id + i, 3, id + i) + "\n";
                    c.send(batch, timeout);
                    for (int i = 0; i < depth; ++i)
                        if (c.recv_line(timeout) != product(id + i, 3, id + i)) ++wrong;
                    id += depth;
                }
            } catch (const std::exception&) {
                wrong += depth; // a timeout or a closed connection
            }
        });
    for (auto& t : threads) t.join();
    return wrong.load();
}

DaemonOptions with_batch_wait(std::string_view wait) {
    DaemonOptions o;
    o.server_config = "batch_wait = " + std::string(wait) + "\n";
    return o;
}

std::vector<Connection> connect(const Daemon& d, int n) {
    std::vector<Connection> conns;
    for (int i = 0; i < n; ++i) conns.push_back(Connection::tcp(d.port()));
    return conns;
}

// The pipelined load, every reply checked; true if the daemon's threads
// batched during it.
bool batched_under_load(const Daemon& d, std::vector<Connection>& conns, int rounds) {
    std::uint64_t before = batched_looks(d.port());
    CHECK(pipelined_load(conns, 16, rounds) == 0);
    return batched_looks(d.port()) > before;
}

} // namespace

TEST_CASE("many connections with calls in flight are batched, and every reply comes, in order") {
    DaemonOptions o = with_batch_wait("\"200us\"");
    o.plugins.push_back(slow_plugin());
    Daemon d(o);
    std::vector<Connection> conns = connect(d, 8);
    CHECK(batched_under_load(d, conns, 150));

    // While the threads batch: a blocking method finishes on another
    // thread, HTTP keep-alive calls and new connections are served.
    Connection slow = Connection::tcp(d.port());
    slow.send_line(R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":50},"id":"s"})");
    HttpClient http(d.port());
    for (int i = 0; i < 20; ++i) {
        CHECK(pipelined_load(conns, 16, 2) == 0);
        HttpResponse r = http.post("/_goRPC_", multiply(6, 7, i));
        CHECK(r.body == product(6, 7, i) + "\n");
        Connection fresh = Connection::tcp(d.port());
        CHECK(call_line(fresh, multiply(2, 5, i)) == product(2, 5, i));
    }
    CHECK(slow.recv_line() == R"({"jsonrpc":"2.0","result":50,"id":"s"})");
}

TEST_CASE("while the threads batch, a request finished by the client's half-close is answered and the connection "
          "closed at once") {
    // Far-off timeouts: only an end of stream the daemon saw closes in time.
    DaemonOptions o = with_batch_wait("\"200us\"");
    o.extra_config = "[limits]\nidle_timeout = \"60s\"\nheader_timeout = \"60s\"\n";
    Daemon d(o);
    std::vector<Connection> conns = connect(d, 8);
    REQUIRE(batched_under_load(d, conns, 150));
    // Keep them batching while the half-closing clients come and go.
    std::uint64_t looks_before = batched_looks(d.port());
    int load_wrong = 0; // Catch2's assertions are for the test's own thread only
    std::thread load([&] { load_wrong = pipelined_load(conns, 16, 400); });
    const std::string request = multiply(7, 8, 1) + "\n";
    for (std::size_t split : {std::size_t{1}, request.size() / 2, request.size() - 1}) {
        INFO("split after " << split << " bytes");
        Connection c = Connection::tcp(d.port());
        c.send(request.substr(0, split));
        std::this_thread::sleep_for(30ms); // the daemon reads the first part, and defers its next read
        c.send(request.substr(split));
        c.shutdown_write();
        auto start = std::chrono::steady_clock::now();
        CHECK(c.recv_line() == product(7, 8, 1));
        CHECK(c.closed_by_peer(5s));
        CHECK(std::chrono::steady_clock::now() - start < 3s);
    }
    load.join();
    CHECK(load_wrong == 0);
    CHECK(batched_looks(d.port()) > looks_before);
}

TEST_CASE("while the threads batch, an HTTP answer larger than the socket buffers arrives whole to a slow reader") {
    // The batched send (net/batched_io.hpp) comes back short, and the rest
    // goes out as the client reads.
    DaemonOptions o = with_batch_wait("\"200us\"");
    o.plugins.push_back(PLUGRPC_TEST_KITCHEN_PLUGIN);
    o.extra_config = "[limits]\nmax_message_bytes = 33554432\n"; // beyond Linux's largest send buffer, 4 MiB
    Daemon d(o);
    std::vector<Connection> conns = connect(d, 8);
    REQUIRE(batched_under_load(d, conns, 150));
    // Kitchen.Concat runs on the network thread: under the sanitizers a
    // call of 8 MiB holds it (and the load's connections on it) for seconds.
    int load_wrong = 0; // Catch2's assertions are for the test's own thread only
    std::thread load([&] { load_wrong = pipelined_load(conns, 16, 300, 120s); });
    std::string big(8u << 20, 'x');
    for (std::size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
    std::string body = R"({"jsonrpc":"2.0","method":"Kitchen.Concat","params":[[")" + big + R"(","!"]],"id":9})";
    Connection c = Connection::tcp(d.port());
    int small = 16 * 1024; // a slow reader's small window: the daemon's buffers fill
    REQUIRE(::setsockopt(c.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    for (int round = 0; round < 2; ++round) { // and the connection stays usable
        c.send("POST /_goRPC_ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body,
               120s);
        std::this_thread::sleep_for(300ms); // not reading: the answer fills the buffers
        HttpClient reader(std::move(c), 120s);
        HttpResponse r = reader.raw("");
        CHECK(r.status == 200);
        CHECK(r.body == R"({"jsonrpc":"2.0","result":")" + big + R"(!","id":9})" "\n");
        c = std::move(reader.connection());
    }
    load.join();
    CHECK(load_wrong == 0);
}

TEST_CASE("batch_wait = 0: calls are served as they come, and nothing is batched") {
    Daemon d(with_batch_wait("0"));
    std::vector<Connection> conns = connect(d, 8);
    CHECK_FALSE(batched_under_load(d, conns, 60));
    CHECK(batched_looks(d.port()) == 0);
}

TEST_CASE("SIGTERM while the threads batch: every request sent before it is answered, then each connection closes") {
    Daemon d(with_batch_wait("\"200us\""));
    std::vector<Connection> conns = connect(d, 8);
    REQUIRE(batched_under_load(d, conns, 150));

    long id = 1;
    for (auto& c : conns) {
        std::string batch;
        for (int i = 0; i < 16; ++i) batch += multiply(id + i, 2, id + i) + "\n";
        c.send(batch);
        id += 16;
    }
    ::kill(d.pid(), SIGTERM);
    id = 1;
    for (auto& c : conns) {
        for (int i = 0; i < 16; ++i, ++id) CHECK(c.recv_line() == product(id, 2, id));
        CHECK(c.closed_by_peer());
    }
    CHECK(d.wait_exit(10s) == 0);
}

TEST_CASE("while the threads batch, HTTP keep-alive clients are answered through batched reads, and SIGTERM ends "
          "them cleanly") {
    Daemon d(with_batch_wait("\"200us\""));
    std::vector<Connection> conns = connect(d, 8);
    REQUIRE(batched_under_load(d, conns, 150));

    // Each client posts in a loop, checks every reply, and stops at its
    // round limit or when the daemon closes the connection.
    auto client = [&d](int k, int rounds, int& wrong, int& answered) {
        try {
            HttpClient http(d.port());
            for (int i = 0; i < rounds; ++i) {
                long id = k * 100000L + i;
                HttpResponse r = http.post("/_goRPC_", multiply(id, 5, id));
                if (r.status != 200 || r.body != product(id, 5, id) + "\n") ++wrong;
                ++answered;
            }
        } catch (const std::exception&) {
            // closed by the daemon (after SIGTERM)
        }
    };
    constexpr int kClients = 6;
    const std::string recvs = "plugrpc_batched_io_total{op=\"recv\"}", sends = "plugrpc_batched_io_total{op=\"send\"}";
    std::uint64_t recvs_before = counter(d.port(), recvs), sends_before = counter(d.port(), sends);
    int load_wrong = 0;
    std::thread load([&] { load_wrong = pipelined_load(conns, 16, 300); });
    std::vector<int> wrong(kClients), answered(kClients);
    std::vector<std::thread> clients;
    for (int k = 0; k < kClients; ++k) clients.emplace_back(client, k, 300, std::ref(wrong[k]), std::ref(answered[k]));
    for (auto& t : clients) t.join();
    load.join();
    CHECK(load_wrong == 0);
    for (int k = 0; k < kClients; ++k) {
        CHECK(wrong[k] == 0);
        CHECK(answered[k] == 300);
    }
    // ... and their reads and answers went through the threads' rings.
    if (d.log().find("io_uring not available") != std::string::npos) {
        WARN("io_uring is not available here: HTTP was served one syscall at a time");
    } else {
        CHECK(counter(d.port(), recvs) > recvs_before);
        CHECK(counter(d.port(), sends) > sends_before);
    }

    // Now SIGTERM while they post: every reply that comes is right, and
    // every client is let go.
    clients.clear();
    std::fill(answered.begin(), answered.end(), 0);
    for (int k = 0; k < kClients; ++k)
        clients.emplace_back(client, k, 1000000, std::ref(wrong[k]), std::ref(answered[k]));
    std::this_thread::sleep_for(300ms);
    ::kill(d.pid(), SIGTERM);
    auto start = std::chrono::steady_clock::now();
    for (auto& t : clients) t.join();
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    for (int k = 0; k < kClients; ++k) {
        CHECK(wrong[k] == 0);
        CHECK(answered[k] > 0);
    }
    CHECK(d.wait_exit(10s) == 0);
}
