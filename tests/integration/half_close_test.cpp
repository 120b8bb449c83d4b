// A request whose last bytes come with the client's half-close (what
// `printf ... | nc -N` does when the request is split across segments) is
// answered, and the connection closed at once: the daemon sees the end of
// the stream even when it arrived together with the bytes it just read.
// The timeouts are set far off, so only a seen end of stream closes in time.
#include "daemon.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace plugrpc::test;

namespace {

const std::string kSlowTimeouts = "[limits]\nidle_timeout = \"60s\"\nheader_timeout = \"60s\"\n";
constexpr Millis kCloseBound = 3s;

std::string unhex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

struct Case {
    const char* protocol;
    std::string request;
    std::string reply_tail; // how the whole reply ends
};

std::vector<Case> cases() {
    const std::string v2 = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})";
    return {
        {"json", v2 + "\n", "{\"jsonrpc\":\"2.0\",\"result\":56,\"id\":1}\n"},
        {"http",
         "POST /_goRPC_ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
             std::to_string(v2.size()) + "\r\n\r\n" + v2,
         "{\"jsonrpc\":\"2.0\",\"result\":56,\"id\":1}\n"},
        // Go's first call of Arith.Multiply(Args{7, 8}), seq 0, as captured
        // from Go 1.19: the Request and Args type definitions, then values.
        {"gob",
         unhex("2fff81030101075265717565737401ff82000102010d536572766963654d6574686f64010c000103536571010600000013"
               "ff82010e41726974682e4d756c7469706c79001eff83030101044172677301ff84000102010141010400010142010400"
               "000007ff84010e011000"),
         unhex("03040070")}, // the reply body: int (type 2) 56
    };
}

} // namespace

TEST_CASE("a request finished by the half-close is answered and the connection closed at once, over json, "
          "gob and HTTP") {
    DaemonOptions o;
    o.extra_config = kSlowTimeouts;
    Daemon d(o);
    for (const Case& c : cases()) {
        const std::size_t n = c.request.size();
        for (std::size_t split : {std::size_t{1}, n / 3, n / 2, n - 1}) {
            INFO(c.protocol << ", split after byte " << split << " of " << n);
            Connection conn = Connection::tcp(d.port());
            conn.send(c.request.substr(0, split));
            // The daemon reads the first piece and waits for more; the rest
            // and the FIN then arrive together.
            std::this_thread::sleep_for(50ms);
            conn.send(c.request.substr(split));
            conn.shutdown_write();
            auto start = std::chrono::steady_clock::now();
            std::string reply;
            CHECK_NOTHROW(reply = conn.recv_all(kCloseBound));
            INFO("closed after " << std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start).count()
                                 << " ms; reply " << reply.size() << " bytes");
            CHECK(reply.size() >= c.reply_tail.size());
            CHECK(reply.substr(reply.size() - std::min(reply.size(), c.reply_tail.size())) == c.reply_tail);
        }
    }
}
