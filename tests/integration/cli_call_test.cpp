// The `plugrpc` CLI against the real daemon: call over every protocol,
// list, describe, and exit codes that tell a server error (1) from a
// transport error (2) and a usage error (64).
#include "cli_call_run.hpp"
#include "daemon.hpp"

#include <catch2/catch.hpp>

using namespace plugrpc::test;

namespace {

constexpr int kServerError = 1, kTransportError = 2, kUsage = 64;

std::string addr(const Daemon& d) { return "127.0.0.1:" + std::to_string(d.port()); }


// The line of `text` that starts with `start`, or "".
std::string line_starting(const std::string& text, std::string_view start) {
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (line.rfind(start, 0) == 0) return line;
        if (end == std::string::npos) break;
        at = end + 1;
    }
    return {};
}

} // namespace

TEST_CASE("plugrpc call ADDR Arith.Multiply '{\"A\":7,\"B\":8}' prints 56 over json, gob, gob-http and http") {
    Daemon d;
    for (std::string proto : {"json", "gob", "gob-http", "http"}) {
        INFO(proto);
        RunResult r = run_cli({"call", "--proto", proto, addr(d), "Arith.Multiply", R"({"A":7,"B":8})"});
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "56\n");
    }
}

TEST_CASE("plugrpc call prints a struct result as JSON") {
    Daemon d;
    RunResult r = run_cli({"call", addr(d), "Arith.Divide", R"({"A":17,"B":8})"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "{\"Quo\":2,\"Rem\":1}\n");
}

TEST_CASE("plugrpc call of Arith.Divide by zero prints 'divide by zero' on stderr and exits 1, on every protocol") {
    Daemon d;
    for (std::string proto : {"json", "gob", "gob-http", "http"}) {
        INFO(proto);
        RunResult r = run_cli({"call", "--proto=" + proto, addr(d), "Arith.Divide", R"({"A":1,"B":0})"});
        CHECK(r.exit_code == kServerError);
        CHECK(r.err == "divide by zero\n");
        CHECK(r.out == "");
    }
}

TEST_CASE("plugrpc call reads params from stdin with -d @- and from a file with -d @FILE") {
    Daemon d;
    RunResult r = run_cli({"call", addr(d), "Arith.Multiply", "-d", "@-"}, R"({"A":6,"B":7})");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "42\n");

    TempDir dir;
    auto file = dir.write("params.json", R"({"A":3,"B":5})");
    r = run_cli({"call", "--proto", "gob", addr(d), "Arith.Multiply", "--data", "@" + file.string()});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "15\n");
}

TEST_CASE("plugrpc call talks to a unix socket address") {
    DaemonOptions o;
    o.listen = {"unix://{dir}/s.sock"};
    Daemon d(o);
    std::string address = "unix:" + (d.dir() / "s.sock").string();
    for (std::string proto : {"json", "gob", "http"}) {
        INFO(proto);
        RunResult r = run_cli({"call", "-P", proto, address, "Arith.Multiply", R"({"A":7,"B":8})"});
        CHECK(r.err == "");
        CHECK(r.out == "56\n");
    }
}

TEST_CASE("plugrpc call to a closed port exits 2 with the connection error on stderr") {
    std::string address;
    {
        Daemon d;
        address = addr(d);
    }
    for (std::string proto : {"json", "gob", "http"}) {
        INFO(proto);
        RunResult r = run_cli({"call", "-P", proto, address, "Arith.Multiply", R"({"A":7,"B":8})"});
        CHECK(r.exit_code == kTransportError);
        CHECK(contains(r.err, "Connection refused"));
    }
}

TEST_CASE("plugrpc call with --timeout 300ms exits 2 when the method takes longer") {
    DaemonOptions o;
    o.plugins.push_back(slow_plugin());
    Daemon d(o);
    RunResult r = run_cli({"call", "--timeout", "300ms", addr(d), "Slow.Sleep", R"({"Millis":3000})"});
    CHECK(r.exit_code == kTransportError);
    CHECK(contains(r.err, "Slow.Sleep: no reply within 300ms"));
}

TEST_CASE("plugrpc call of an unknown method exits 1 with the server's text, over json and gob") {
    Daemon d;
    RunResult r = run_cli({"call", addr(d), "Arith.Nope", "{}"});
    CHECK(r.exit_code == kServerError);
    CHECK(contains(r.err, "rpc: can't find method Arith.Nope"));
    r = run_cli({"call", "-P", "gob", addr(d), "Arith.Nope", "{}"});
    CHECK(r.exit_code == kServerError);
    CHECK(contains(r.err, "rpc: can't find method Arith.Nope"));
}

TEST_CASE("plugrpc usage errors exit 64 with the reason on stderr") {
    struct Case {
        std::vector<std::string> args;
        std::string_view says;
    };
    for (const Case& c : std::vector<Case>{
             {{}, "Usage: plugrpc"},
             {{"frobnicate"}, "unknown command frobnicate"},
             {{"call"}, "which method?"},
             {{"call", "--proto", "carrier-pigeon", "Arith.Multiply"}, "--proto carrier-pigeon"},
             {{"call", "--timeout", "soon", "Arith.Multiply"}, "--timeout soon: not a duration"},
             {{"call", "--bogus", "Arith.Multiply"}, "unknown option --bogus"},
             {{"call", "Arith.Multiply", "{\"A\":", }, "params are not JSON"},
             {{"call", "Arith.Multiply", "{}", "extra"}, "unexpected argument extra"},
             {{"call", "-d", "@/nonexistent/file", "Arith.Multiply"}, "cannot read /nonexistent/file"},
             {{"call", "--arg-type", "struct{A int", "Arith.Multiply", "{}"}, "--arg-type struct{A int: at 13"},
             {{"call", "--arg-type", "complex128", "Arith.Multiply", "{}"}, "unknown type complex128"},
             {{"describe"}, "which service or method?"},
         }) {
        INFO((c.args.empty() ? std::string("(no args)") : c.args[0] + " ..."));
        RunResult r = run_cli(c.args);
        CHECK(r.exit_code == kUsage);
        CHECK(contains(r.err, c.says));
    }
}

TEST_CASE("plugrpc --help, COMMAND --help and --version exit 0") {
    RunResult r = run_cli({"--help"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "call [ADDR] SERVICE.METHOD"));
    for (std::string cmd : {"call", "list", "describe"}) {
        r = run_cli({cmd, "--help"});
        CHECK(r.exit_code == 0);
        CHECK(contains(r.out, "Usage: plugrpc " + cmd));
    }
    r = run_cli({"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("plugrpc ", 0) == 0);
}

TEST_CASE("plugrpc list shows Arith.Divide and Arith.Multiply with argument and reply types") {
    Daemon d;
    for (std::string proto : {"json", "http"}) {
        INFO(proto);
        RunResult r = run_cli({"list", "-P", proto, addr(d)});
        REQUIRE(r.exit_code == 0);
        CHECK(line_starting(r.out, "METHOD") == "METHOD          ARGUMENT  REPLY");
        CHECK(line_starting(r.out, "Arith.Divide") == "Arith.Divide    Args      Quotient");
        CHECK(line_starting(r.out, "Arith.Multiply") == "Arith.Multiply  Args      int64");
        CHECK_FALSE(contains(r.out, "rpc.discover"));
    }
    RunResult names = run_cli({"list", "--names", addr(d)});
    CHECK(names.out == "Arith.Divide\nArith.Multiply\n");
}

TEST_CASE("plugrpc describe Arith.Divide shows the signature and both schemas") {
    Daemon d;
    RunResult r = run_cli({"describe", addr(d), "Arith.Divide"});
    REQUIRE(r.exit_code == 0);
    CHECK(line_starting(r.out, "Arith.Divide") == "Arith.Divide(Args) Quotient");
    CHECK(contains(r.out, "argument Args:\n{\n  \"type\": \"object\",\n  \"title\": \"Args\""));
    CHECK(contains(r.out, "reply Quotient:\n{\n  \"type\": \"object\",\n  \"title\": \"Quotient\""));
    CHECK(contains(r.out, "\"Quo\": {\n      \"type\": \"integer\",\n      \"format\": \"int64\"\n    }"));

    r = run_cli({"describe", addr(d), "Arith.Nope"});
    CHECK(r.exit_code == kServerError);
    CHECK(contains(r.err, "Arith.Nope"));
}
