// HTTP on the same port: JSON-RPC POSTs on rpc_path, the debug page in
// text, HTML and JSON, and /healthz.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <map>
#include <sstream>

using namespace plugrpc::test;
namespace json = boost::json;

namespace {

constexpr std::string_view kCurlBody = R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})";


std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

// The line of `text` that contains every one of `words`, or "".
std::string line_with(const std::string& text, std::initializer_list<std::string_view> words) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        bool all = true;
        for (auto w : words) all = all && contains(line, w);
        if (all) return line;
    }
    return {};
}

// Where each cell of a table row starts: cells are separated by two or more spaces.
std::vector<std::size_t> cell_starts(const std::string& row) {
    std::vector<std::size_t> starts;
    std::size_t i = 0;
    while (i < row.size()) {
        starts.push_back(i);
        std::size_t gap = row.find("  ", i);
        if (gap == std::string::npos) break;
        i = row.find_first_not_of(' ', gap);
        if (i == std::string::npos) break;
    }
    return starts;
}

// Where each of the last six cells of a method row (its figures) ends, one
// past its last character: cells are separated by two or more spaces.
std::vector<std::size_t> cell_ends(const std::string& row) {
    std::vector<std::size_t> ends;
    for (std::size_t start : cell_starts(row)) {
        std::size_t gap = row.find("  ", start);
        if (gap != start) ends.push_back(gap == std::string::npos ? row.size() : gap);
    }
    if (ends.size() > 6) ends.erase(ends.begin(), ends.end() - 6);
    return ends;
}

// The head of a POST of `length` body bytes to the rpc path, with `extra` header lines.
std::string post_head(std::size_t length, std::string_view extra, std::string_view version = "HTTP/1.1") {
    return "POST /_goRPC_ " + std::string(version) + "\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
           "Content-Length: " + std::to_string(length) + "\r\n" + std::string(extra) + "\r\n";
}

// The debug page as JSON: {service name: {method name: method object}}.
std::map<std::string, std::map<std::string, json::object>> methods_of(const json::value& page) {
    std::map<std::string, std::map<std::string, json::object>> out;
    for (const auto& s : member(page, "services").as_array())
        for (const auto& m : member(s, "methods").as_array())
            out[std::string(member(s, "name").as_string())][std::string(member(m, "name").as_string())] =
                m.as_object();
    return out;
}

} // namespace

// ------------------------------------------------------------ JSON-RPC over HTTP

TEST_CASE("curl's POST of a JSON-RPC request to /_goRPC_ replies {\"jsonrpc\":\"2.0\",\"result\":56,\"id\":1}") {
    Daemon d;
    HttpClient http(d.port());
    // What `curl -s localhost:1234/_goRPC_ -d '...'` sends.
    HttpResponse r = http.request("POST", "/_goRPC_", kCurlBody,
                                  {{"User-Agent", "curl/7.88.1"},
                                   {"Accept", "*/*"},
                                   {"Content-Type", "application/x-www-form-urlencoded"}});
    CHECK(r.status == 200);
    CHECK(contains(r.header("Content-Type"), "application/json"));
    CHECK(trimmed(r.body) == R"({"jsonrpc":"2.0","result":56,"id":1})");
}

TEST_CASE("HTTP keeps the connection alive across JSON-RPC requests") {
    Daemon d;
    HttpClient http(d.port());
    HttpResponse first = http.post("/_goRPC_", kCurlBody);
    CHECK(first.status == 200);
    CHECK(trimmed(first.body) == R"({"jsonrpc":"2.0","result":56,"id":1})");
    CHECK(first.header("Connection") != "close");
    HttpResponse second =
        http.post("/_goRPC_", R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":17,"B":8},"id":2})");
    CHECK(second.status == 200);
    CHECK(parse_json(second.body) == parse_json(R"({"jsonrpc":"2.0","result":{"Quo":2,"Rem":1},"id":2})"));
    HttpResponse third = http.get("/healthz");
    CHECK(third.status == 200);
}

TEST_CASE("HTTP POST of a method's error replies the JSON-RPC error object") {
    Daemon d;
    HttpClient http(d.port());
    HttpResponse r =
        http.post("/_goRPC_", R"({"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":17,"B":0},"id":3})");
    CHECK(r.status == 200);
    json::value reply = parse_json(r.body);
    CHECK_FALSE(has_member(reply, "result"));
    CHECK(member(member(reply, "error"), "message") == "divide by zero");
}

TEST_CASE("GET on the rpc path replies 405 saying what is accepted") {
    Daemon d;
    HttpClient http(d.port());
    HttpResponse r = http.get("/_goRPC_");
    CHECK(r.status == 405);
    CHECK(contains(r.body, "POST"));
    CHECK(contains(r.body, "CONNECT"));
    CHECK(contains(r.header("Allow"), "POST"));
    // ... and the connection still serves.
    CHECK(trimmed(http.post("/_goRPC_", kCurlBody).body) == R"({"jsonrpc":"2.0","result":56,"id":1})");
}

TEST_CASE("GET on an unknown path replies 404") {
    Daemon d;
    HttpClient http(d.port());
    CHECK(http.get("/nothing/here").status == 404);
}

TEST_CASE("GET /healthz replies 200 ok") {
    Daemon d;
    HttpClient http(d.port());
    HttpResponse r = http.get("/healthz");
    CHECK(r.status == 200);
    CHECK(trimmed(r.body) == "ok");
}

// ------------------------------------------------------------ debug page

TEST_CASE("the debug page for curl is an aligned text table of Arith's methods and types, the file under PLUGINS") {
    Daemon d;
    HttpClient http(d.port());
    HttpResponse r = http.get("/debug/rpc", "*/*");
    REQUIRE(r.status == 200);
    CHECK(contains(r.header("Content-Type"), "text/plain"));
    INFO("page:\n" << r.body);
    std::string arith_so = (d.plugin_dir() / "arith.so").string();
    std::string multiply = line_with(r.body, {"Multiply"});
    std::string divide = line_with(r.body, {"Divide"});
    REQUIRE(!multiply.empty());
    REQUIRE(!divide.empty());
    CHECK(contains(r.body, "\nArith\n  Divide(Args) Quotient "));
    CHECK(contains(multiply, "Multiply(Args) int64"));
    // Aligned: the figures (right-aligned) of the Multiply row end in the
    // same columns as those of the Divide row.
    CHECK(cell_ends(multiply) == cell_ends(divide));
    CHECK(cell_ends(multiply).size() == 6);
    CHECK(contains(r.body, "\nPLUGINS\narith 1.0.0, 2 methods, loaded "));
    CHECK(contains(r.body, "\n  " + arith_so + "\n"));
    CHECK_FALSE(contains(r.body, "<"));
}

TEST_CASE("the debug page for a browser is HTML listing Arith with Multiply and Divide") {
    Daemon d;
    HttpClient http(d.port());
    HttpResponse r = http.get("/debug/rpc", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
    REQUIRE(r.status == 200);
    CHECK(contains(r.header("Content-Type"), "text/html"));
    INFO("page:\n" << r.body);
    CHECK(contains(r.body, "<html"));
    CHECK(contains(r.body, "</html>"));
    CHECK(contains(r.body, "Arith"));
    CHECK(contains(r.body, "Multiply"));
    CHECK(contains(r.body, "Divide"));
    CHECK(contains(r.body, "Quotient"));
    CHECK(contains(r.body, (d.plugin_dir() / "arith.so").string()));
}

TEST_CASE("the debug page as JSON (Accept: application/json) lists Arith's methods with their types and file") {
    Daemon d;
    HttpClient http(d.port());
    HttpResponse r = http.get("/debug/rpc", "application/json");
    REQUIRE(r.status == 200);
    CHECK(contains(r.header("Content-Type"), "application/json"));
    json::value page = parse_json(r.body);
    auto services = methods_of(page);
    REQUIRE(services.count("Arith") == 1);
    REQUIRE(services["Arith"].size() == 2);
    const json::object& multiply = services["Arith"].at("Multiply");
    const json::object& divide = services["Arith"].at("Divide");
    CHECK(multiply.at("calls") == 0);
    CHECK(divide.at("errors") == 0);
    bool file_named = false;
    for (const auto& s : member(page, "services").as_array())
        if (member(s, "name") == "Arith")
            file_named = json::serialize(s).find((d.plugin_dir() / "arith.so").string()) != std::string::npos;
    CHECK(file_named);
    std::string text = json::serialize(page);
    CHECK(contains(text, "Quotient"));
    CHECK(contains(text, "int64"));
}

TEST_CASE("the debug page as JSON (?format=json) counts calls and errors per method") {
    Daemon d;
    HttpClient http(d.port());
    auto counts = [&] { return methods_of(parse_json(http.get("/debug/rpc?format=json", "*/*").body)); };
    auto before = counts();
    REQUIRE(before.count("Arith") == 1);

    Connection c = Connection::tcp(d.port());
    for (int i = 0; i < 3; ++i)
        CHECK(call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1})") ==
              R"({"jsonrpc":"2.0","result":56,"id":1})");
    call_line(c, R"({"method":"Arith.Divide","params":[{"A":17,"B":8}],"id":2})");
    call_line(c, R"({"method":"Arith.Divide","params":[{"A":17,"B":0}],"id":3})");
    CHECK(trimmed(http.post("/_goRPC_", kCurlBody).body) == R"({"jsonrpc":"2.0","result":56,"id":1})");

    auto after = counts();
    auto delta = [&](const char* method, const char* what) {
        return after["Arith"].at(method).at(what).to_number<std::int64_t>() -
               before["Arith"].at(method).at(what).to_number<std::int64_t>();
    };
    CHECK(delta("Multiply", "calls") == 4);
    CHECK(delta("Multiply", "errors") == 0);
    CHECK(delta("Divide", "calls") == 2); // errors are calls too, as in Go
    CHECK(delta("Divide", "errors") == 1);
}

// ------------------------------------------------------------ Expect: 100-continue

TEST_CASE("Expect: 100-continue is answered 100 Continue before the body is sent, then the call's reply") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    c.send(post_head(kCurlBody.size(), "Expect: 100-continue\r\n"));
    // curl waits a second for this before sending the body anyway.
    CHECK(c.recv_until("\r\n\r\n", 2s) == "HTTP/1.1 100 Continue\r\n\r\n");
    HttpClient http(std::move(c));
    HttpResponse r = http.raw(kCurlBody);
    CHECK(r.status == 200);
    CHECK(trimmed(r.body) == R"({"jsonrpc":"2.0","result":56,"id":1})");
    // Kept alive: the next request is served as usual.
    CHECK(trimmed(http.post("/_goRPC_", kCurlBody).body) == R"({"jsonrpc":"2.0","result":56,"id":1})");
}

TEST_CASE("Expect: 100-continue with a body over max_message_bytes is answered 413 without 100 Continue") {
    DaemonOptions o;
    o.extra_config = "[limits]\nmax_message_bytes = 4096\n";
    Daemon d(o);
    HttpClient http(d.port());
    HttpResponse r = http.raw(post_head(8192, "Expect: 100-continue\r\n"));
    CHECK(r.status == 413);
    CHECK(contains(r.body, "larger than 4096 bytes"));
    CHECK(http.connection().closed_by_peer());
}

TEST_CASE("Expect: 100-continue from an HTTP/1.0 client gets no 100 Continue (RFC 9110), and its reply once the body comes") {
    Daemon d;
    Connection c = Connection::tcp(d.port());
    c.send(post_head(kCurlBody.size(), "Expect: 100-continue\r\n", "HTTP/1.0"));
    CHECK(c.quiet_for(300ms));
    HttpClient http(std::move(c));
    HttpResponse r = http.raw(kCurlBody);
    CHECK(r.status == 200);
    CHECK(trimmed(r.body) == R"({"jsonrpc":"2.0","result":56,"id":1})");
}

TEST_CASE("curl's POST of a body over 1 MiB (sent with Expect: 100-continue) is answered without curl's wait") {
    Daemon d;
    TempDir dir;
    // A valid call whose id is 1.5 MB: the reply echoes it.
    std::string id(1536 * 1024, 'i');
    auto body = dir.write("body.json", R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":")" +
                                           id + "\"}");
    // Without a 100 Continue curl would wait --expect100-timeout (5 s here) before sending the body.
    auto [rc, out] = shell("curl -sS --max-time 20 --expect100-timeout 5 -o /dev/null -w '%{http_code} %{time_total}' "
                           "-H 'Content-Type: application/json' --data-binary @" + body.string() +
                           " http://127.0.0.1:" + std::to_string(d.port()) + "/_goRPC_ 2>&1");
    INFO(out);
    REQUIRE(rc == 0);
    std::istringstream in(out);
    int status = 0;
    double seconds = 99;
    in >> status >> seconds;
    CHECK(status == 200);
    CHECK(seconds < 2.5);
}

// ------------------------------------------------------------ byte order mark

TEST_CASE("a UTF-8 byte order mark before an HTTP POST's JSON body is skipped") {
    Daemon d;
    HttpClient http(d.port());
    HttpResponse r = http.post("/_goRPC_", "\xEF\xBB\xBF" + std::string(kCurlBody));
    CHECK(r.status == 200);
    CHECK(trimmed(r.body) == R"({"jsonrpc":"2.0","result":56,"id":1})");
}
