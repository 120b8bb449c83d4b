// The `plugrpc` CLI says the same thing on every protocol: one text and one
// exit code for the same server error, the same refusal of params that do
// not fit the method (a bare 7 for Args), and list / describe of a service
// over any protocol (rpc.discover over gob too); -v shows the wire.
#include "cli_call_run.hpp"
#include "daemon.hpp"

#include <catch2/catch.hpp>

using namespace plugrpc::test;

namespace cli_protocols_test {

namespace {

constexpr int kServerError = 1, kUsage = 64;
const std::vector<std::string> kProtocols{"json", "gob", "gob-http", "http"};

std::string addr(const Daemon& d) { return "127.0.0.1:" + std::to_string(d.port()); }

} // namespace

TEST_CASE("plugrpc call Arith.Multiply 7 is refused with one text and exit 64 on every protocol, never 0") {
    Daemon d;
    for (const std::string& proto : kProtocols) {
        INFO(proto);
        RunResult r = run_cli({"call", "--proto", proto, addr(d), "Arith.Multiply", "7"});
        CHECK(r.out == "");
        CHECK(r.exit_code == kUsage);
        CHECK(r.err == "plugrpc: invalid params for Arith.Multiply: params: expected an object Args, got an integer\n");
    }
}

TEST_CASE("plugrpc call with fewer positional params than Args has fields is refused on every protocol") {
    Daemon d;
    for (const std::string& proto : kProtocols) {
        INFO(proto);
        RunResult r = run_cli({"call", "--proto", proto, addr(d), "Arith.Multiply", "[7]"});
        CHECK(r.exit_code == kUsage);
        CHECK(r.err == "plugrpc: invalid params for Arith.Multiply: params: expected 2 positional values for Args, got 1\n");
        r = run_cli({"call", "--proto", proto, addr(d), "Arith.Multiply", "[7,8]"});
        CHECK(r.exit_code == 0);
        CHECK(r.out == "56\n");
    }
}

TEST_CASE("plugrpc call prints one text and exits 1 for the same server error on every protocol") {
    Daemon d;
    struct Case {
        std::string method, params, says;
    };
    for (const Case& c : std::vector<Case>{
             {"Arith.Divide", R"({"A":1,"B":0})", "divide by zero\n"},
             {"Arith.Nope", "{}", "rpc: can't find method Arith.Nope\n"},
             {"Nope.Nope", "{}", "rpc: can't find service Nope.Nope\n"},
         }) {
        for (const std::string& proto : kProtocols) {
            INFO(proto << " " << c.method);
            RunResult r = run_cli({"call", "--proto", proto, addr(d), c.method, c.params});
            CHECK(r.exit_code == kServerError);
            CHECK(r.err == c.says);
        }
    }
}

TEST_CASE("plugrpc call with no params sends the argument's zero value on every protocol") {
    Daemon d;
    for (const std::string& proto : kProtocols) {
        INFO(proto);
        RunResult r = run_cli({"call", "--proto", proto, addr(d), "Arith.Multiply"});
        CHECK(r.exit_code == 0);
        CHECK(r.out == "0\n");
    }
}

TEST_CASE("plugrpc call prints numbers as Go's encoding/json does, on every protocol") {
    DaemonOptions o;
    o.plugins.push_back(PLUGRPC_TEST_KITCHEN_PLUGIN);
    Daemon d(o);
    for (const std::string& proto : kProtocols) {
        INFO(proto);
        RunResult r = run_cli({"call", "--proto", proto, addr(d), "Kitchen.Stats", "[1.5,2.5,-4.25]"});
        CHECK(r.exit_code == 0);
        CHECK(r.out == "{\"Count\":3,\"Min\":-4.25,\"Max\":2.5,\"Mean\":-0.08333333333333333}\n");
    }
}

TEST_CASE("plugrpc list SERVICE and describe SERVICE show that service's methods, over every protocol") {
    Daemon d;
    for (const std::string& proto : kProtocols) {
        INFO(proto);
        RunResult r = run_cli({"list", "--proto", proto, addr(d), "Arith", "--names"});
        CHECK(r.exit_code == 0);
        CHECK(r.out == "Arith.Divide\nArith.Multiply\n");

        r = run_cli({"describe", "--proto", proto, addr(d), "Arith"});
        CHECK(r.exit_code == 0);
        CHECK(contains(r.out, "Arith.Divide(Args) Quotient\n"));
        CHECK(contains(r.out, "Arith.Multiply(Args) int64\n"));
        CHECK(contains(r.out, "reply int64:\n{\n  \"type\": \"integer\""));
    }
    RunResult r = run_cli({"list", addr(d), "Nope"});
    CHECK(r.exit_code == kServerError);
    CHECK(r.err == "rpc: can't find service Nope\n");
    r = run_cli({"describe", addr(d), "Nope"});
    CHECK(r.exit_code == kServerError);
    CHECK(r.err == "rpc: can't find service Nope\n");
    r = run_cli({"describe", addr(d), "Arith.Nope"});
    CHECK(r.exit_code == kServerError);
    CHECK(r.err == "rpc: can't find method Arith.Nope\n");
}

TEST_CASE("plugrpc call -v shows the request and the reply on stderr, in each protocol's own form") {
    Daemon d;
    RunResult r = run_cli({"call", "-v", addr(d), "Arith.Multiply", R"({"A":7,"B":8})"});
    CHECK(r.out == "56\n");
    CHECK(contains(r.err, "> {\"jsonrpc\":\"2.0\",\"method\":\"Arith.Multiply\",\"params\":{\"A\":7,\"B\":8},\"id\":1}\n"));
    CHECK(contains(r.err, "< {\"jsonrpc\":\"2.0\",\"result\":56,\"id\":1}\n"));

    r = run_cli({"call", "--verbose", "--proto", "http", addr(d), "Arith.Multiply", R"({"A":7,"B":8})"});
    CHECK(r.out == "56\n");
    CHECK(contains(r.err, "> POST /_goRPC_ HTTP/1.1\n> Host: " + addr(d) + "\n"));
    CHECK(contains(r.err, "< HTTP/1.1 200 OK\n"));
    CHECK(contains(r.err, "< {\"jsonrpc\":\"2.0\",\"result\":56,\"id\":1}\n"));

    r = run_cli({"call", "-v", "--proto", "gob-http", addr(d), "Arith.Multiply", R"({"A":7,"B":8})"});
    CHECK(r.out == "56\n");
    CHECK(contains(r.err, "> CONNECT /_goRPC_ HTTP/1.0\n< HTTP/1.0 200 Connected to Go RPC\n"));
    CHECK(contains(r.err, "> gob Request{ServiceMethod: \"Arith.Multiply\", Seq: 1}\n> gob Args {\"A\":7,\"B\":8}\n"));
    CHECK(contains(r.err, "< gob Response{ServiceMethod: \"Arith.Multiply\", Seq: 1, Error: \"\"}\n< gob 56\n"));
    // The reply's bytes as NETRPC.md shows them: header, then 03 04 00 70 (56).
    CHECK(contains(r.err, "< 0000  15 ff 82 01 0e 41 72 69 74 68 2e 4d 75 6c 74 69\n< 0010  70 6c 79 01 01 00 03 04 00 70\n"));
}

TEST_CASE("plugrpc call --proto gob without rpc.discover's help: --arg-type gives the argument's type") {
    Daemon d;
    RunResult r = run_cli({"call", "--proto", "gob", "--arg-type", "struct{A, B int64}", addr(d), "Arith.Multiply",
                           R"({"A":6,"B":7})"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "42\n");
    // A type the server cannot read is the server's to refuse: Go's words
    // (naming the type of the field it reads into), exit 64.
    r = run_cli({"call", "--proto", "gob", "--arg-type", "struct{A uint; B int}", addr(d), "Arith.Multiply",
                 R"({"A":6,"B":7})"});
    CHECK(r.exit_code == kUsage);
    CHECK(r.err == "gob: wrong type (int64) for received field Args.A\n");
}

} // namespace cli_protocols_test
