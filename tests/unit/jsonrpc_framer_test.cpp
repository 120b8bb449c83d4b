// The JSON stream framer: where one value ends in bytes as they arrive.
#include "wire/jsonrpc/framer.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

// Each file in its own namespace: unity builds compile several together.
namespace unit_jsonrpc_framer {

using plugrpc::jsonrpc::Framer;
using Status = Framer::Status;

namespace {

// A connection's read side: bytes are appended as they arrive, complete
// values are cut off the front, as the JSON session does.
struct Stream {
    explicit Stream(std::size_t max_bytes = 1 << 20, unsigned max_depth = 64) : framer(max_bytes, max_depth) {}

    // Append `bytes` and cut every complete value; the last status seen.
    Status feed(std::string_view bytes) {
        buffer += bytes;
        for (;;) {
            std::size_t begin = 0, end = 0;
            Status st = framer.next(buffer, begin, end);
            if (st != Status::Complete) return st;
            values.push_back(buffer.substr(begin, end - begin));
            buffer.erase(0, end);
        }
    }

    Framer framer;
    std::string buffer;
    std::vector<std::string> values;
};

} // namespace

TEST_CASE("framer: one object is complete when its closing brace arrives", "[jsonrpc]") {
    Framer f(1024, 8);
    std::size_t begin = 99, end = 99;
    std::string_view text = R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":0})";
    REQUIRE(f.next(text, begin, end) == Status::Complete);
    CHECK(begin == 0);
    CHECK(end == text.size());
}

TEST_CASE("framer: values back to back with no separator come out one by one", "[jsonrpc]") {
    Stream s;
    CHECK(s.feed(R"({"id":0}{"id":1}[{"id":2}]{"id":3})") == Status::NeedMore);
    CHECK(s.values == std::vector<std::string>{R"({"id":0})", R"({"id":1})", R"([{"id":2}])", R"({"id":3})"});
    CHECK(s.buffer.empty());
}

TEST_CASE("framer: whitespace before and between values is skipped, not part of a value", "[jsonrpc]") {
    Stream s;
    CHECK(s.feed(" \r\n\t{\"a\":1}\n\n  [2 , 3]\t\r\n") == Status::NeedMore);
    CHECK(s.values == std::vector<std::string>{R"({"a":1})", "[2 , 3]"});
}

TEST_CASE("framer: only whitespace so far needs more", "[jsonrpc]") {
    Stream s;
    CHECK(s.feed("  \n\t ") == Status::NeedMore);
    CHECK(s.values.empty());
}

TEST_CASE("framer: braces, brackets and escaped quotes inside strings do not end a value", "[jsonrpc]") {
    Stream s;
    std::string tricky = R"({"s":"}{][","q":"a \"}\" b","bs":"\\","end":"\\\"}"})";
    CHECK(s.feed(tricky + "{\"n\":1}") == Status::NeedMore);
    CHECK(s.values == std::vector<std::string>{tricky, R"({"n":1})"});
}

TEST_CASE("framer: a stream split at every byte position yields the same values", "[jsonrpc]") {
    const std::string stream = R"( {"method":"A.B","params":["}{\"x",{"k":[1,[2]]}],"id":"\\"}[1,[2,{"a":"]"}]]  {"b":{}})";
    const std::vector<std::string> expected{R"({"method":"A.B","params":["}{\"x",{"k":[1,[2]]}],"id":"\\"})",
                                            R"([1,[2,{"a":"]"}]])", R"({"b":{}})"};
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        INFO("split at byte " << cut);
        Stream s;
        s.feed(stream.substr(0, cut));
        CHECK(s.feed(stream.substr(cut)) == Status::NeedMore);
        CHECK(s.values == expected);
    }
}

TEST_CASE("framer: a stream fed one byte at a time yields the same values", "[jsonrpc]") {
    const std::string stream = R"({"a":"x\"}y"}[{"b":[]}]{})";
    Stream s;
    for (char c : stream) s.feed(std::string(1, c));
    CHECK(s.values == std::vector<std::string>{R"({"a":"x\"}y"})", R"([{"b":[]}])", "{}"});
}

TEST_CASE("framer: a value longer than the limit is too large before it completes", "[jsonrpc]") {
    Stream s(16, 8);
    CHECK(s.feed(R"({"a":"0123456789)") == Status::NeedMore); // 16 bytes
    CHECK(s.feed("x") == Status::TooLarge);                     // 17 bytes, still open
    CHECK(s.values.empty());
}

TEST_CASE("framer: a value exactly at the size limit is complete, one byte over is too large", "[jsonrpc]") {
    Stream at(9, 8);
    CHECK(at.feed(R"({"a":"b"})") == Status::NeedMore); // 9 bytes
    CHECK(at.values == std::vector<std::string>{R"({"a":"b"})"});

    Stream over(8, 8);
    CHECK(over.feed(R"({"a":"b"})") == Status::TooLarge);
    CHECK(over.values.empty());
}

TEST_CASE("framer: leading whitespace does not count against the size limit", "[jsonrpc]") {
    Stream s(9, 8);
    CHECK(s.feed(std::string(100, ' ') + R"({"a":"b"})") == Status::NeedMore);
    CHECK(s.values == std::vector<std::string>{R"({"a":"b"})"});
}

TEST_CASE("framer: a long string is too large before its closing quote arrives", "[jsonrpc]") {
    Stream s(32, 8);
    CHECK(s.feed("[\"" + std::string(64, 'x')) == Status::TooLarge);
}

TEST_CASE("framer: nesting deeper than the limit is too deep before the value completes", "[jsonrpc]") {
    Stream ok(1024, 3);
    CHECK(ok.feed("[[[1]]]") == Status::NeedMore);
    CHECK(ok.values == std::vector<std::string>{"[[[1]]]"});

    Stream deep(1024, 3);
    CHECK(deep.feed("[{\"a\":[") == Status::NeedMore);
    CHECK(deep.feed("[") == Status::TooDeep);
}

TEST_CASE("framer: brackets inside strings do not count towards depth", "[jsonrpc]") {
    Stream s(1024, 2);
    CHECK(s.feed(R"({"a":"[[[[{{{{"})") == Status::NeedMore);
    CHECK(s.values == std::vector<std::string>{R"({"a":"[[[[{{{{"})"});
}

TEST_CASE("framer: a first byte that cannot start an object or array is garbage", "[jsonrpc]") {
    const std::vector<std::string> inputs{"x{}", "\"str\"", "42", "null", "}", "]", std::string("\0{}", 3)};
    for (const auto& bad : inputs) {
        INFO(bad);
        Stream s;
        CHECK(s.feed(bad) == Status::Garbage);
    }
}

TEST_CASE("framer: garbage after whitespace and after a complete value is reported", "[jsonrpc]") {
    Stream s;
    CHECK(s.feed("  \n{\"a\":1} GET") == Status::Garbage);
    CHECK(s.values == std::vector<std::string>{R"({"a":1})"});
}

TEST_CASE("framer: a closing bracket that does not match its opening one is a mismatch", "[jsonrpc]") {
    const std::vector<std::string> inputs{"{]", "[}", R"({"a":1])", R"([1,2})", R"({"a":[1,2}})", R"([{"a":1]])",
                                          R"({"s":"]}","t":[{}]])"};
    for (const auto& bad : inputs) {
        INFO(bad);
        Stream s;
        CHECK(s.feed(bad) == Status::Mismatched);
        CHECK(s.values.empty());
    }
}

TEST_CASE("framer: a mismatched value is reported at once, not held open swallowing the values after it", "[jsonrpc]") {
    // Counting depth alone, '[' ... '}' leaves the object open forever and
    // every later request becomes part of it.
    const std::string stream = R"({"method":"A.B","params":[1},"id":1})" "\n" R"({"method":"A.B","params":[2],"id":2})";
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        INFO("split at byte " << cut);
        Stream s;
        Status first = s.feed(stream.substr(0, cut));
        Status second = first == Status::NeedMore ? s.feed(stream.substr(cut)) : first;
        CHECK(second == Status::Mismatched);
        CHECK(s.values.empty());
    }
}

TEST_CASE("framer: brackets are matched at every depth up to the limit, beyond 64 levels too", "[jsonrpc]") {
    for (unsigned depth : {1u, 63u, 64u, 65u, 130u}) {
        INFO("depth " << depth);
        std::string open, close;
        for (unsigned k = 0; k < depth; ++k) {
            open += k % 3 == 1 ? "[" : "{\"k\":";
            close.insert(close.begin(), k % 3 == 1 ? ']' : '}');
        }
        std::string good = open + "0" + close;
        Stream ok(1 << 20, 200);
        CHECK(ok.feed(good) == Status::NeedMore);
        CHECK(ok.values == std::vector<std::string>{good});
        // The same value with its innermost closing bracket swapped.
        std::string bad = good;
        std::size_t inner = open.size() + 1;
        bad[inner] = bad[inner] == '}' ? ']' : '}';
        Stream s(1 << 20, 200);
        CHECK(s.feed(bad) == Status::Mismatched);
        // ... or its outermost.
        bad = good;
        bad.back() = bad.back() == '}' ? ']' : '}';
        Stream t(1 << 20, 200);
        CHECK(t.feed(bad) == Status::Mismatched);
    }
}

TEST_CASE("framer: a UTF-8 byte order mark before a value is skipped like whitespace", "[jsonrpc]") {
    const std::string bom = "\xEF\xBB\xBF";
    Stream s;
    CHECK(s.feed(bom + R"({"a":1})" + "\n" + bom + bom + " [2]") == Status::NeedMore);
    CHECK(s.values == std::vector<std::string>{R"({"a":1})", "[2]"});
    CHECK_FALSE(s.framer.mid_value());
}

TEST_CASE("framer: a byte order mark split across reads is waited for, not garbage", "[jsonrpc]") {
    const std::string stream = "\xEF\xBB\xBF{\"a\":1}";
    for (std::size_t cut = 0; cut <= 3; ++cut) {
        INFO("split at byte " << cut);
        Stream s;
        CHECK(s.feed(stream.substr(0, cut)) == Status::NeedMore);
        CHECK(s.feed(stream.substr(cut)) == Status::NeedMore);
        CHECK(s.values == std::vector<std::string>{R"({"a":1})"});
    }
}

TEST_CASE("framer: bytes that only begin like a byte order mark are garbage", "[jsonrpc]") {
    for (std::string bad : {"\xEF{}", "\xEF\xBB{}", "\xEF\xBF\xBB{}", "\xBB\xBF{}"}) {
        Stream s;
        CHECK(s.feed(bad) == Status::Garbage);
    }
}

TEST_CASE("framer: blank() is true for whitespace and byte order marks only", "[jsonrpc]") {
    CHECK(Framer::blank(""));
    CHECK(Framer::blank(" \r\n\t"));
    CHECK(Framer::blank("\xEF\xBB\xBF\n\xEF\xBB\xBF"));
    CHECK_FALSE(Framer::blank("\xEF\xBB"));
    CHECK_FALSE(Framer::blank(" {"));
    CHECK_FALSE(Framer::blank("x"));
}

TEST_CASE("framer: reset forgets a partial value", "[jsonrpc]") {
    Framer f(1024, 8);
    std::size_t begin = 0, end = 0;
    CHECK(f.next("{\"a\":\"}", begin, end) == Status::NeedMore);
    f.reset();
    CHECK(f.next("[1]", begin, end) == Status::Complete);
    CHECK(begin == 0);
    CHECK(end == 3);
}

TEST_CASE("framer: escapes and brackets at every offset of long strings, whole or split, frame as a plain scan does", "[jsonrpc]") {
    // The values, built so that each special byte falls at each offset of a
    // 16-byte block somewhere; where each ends is known by construction.
    std::vector<std::string> expected;
    std::string stream;
    for (std::size_t pad = 0; pad < 40; ++pad) {
        std::string filler(pad, 'x');
        for (std::string special : {"\\\"", "\\\\", "}", "]", "{[", "\\u005c"}) {
            std::string v = "{\"k" + filler + "\":\"" + filler + special + filler + "\",\"n\":[" + std::to_string(pad) +
                            ",{\"z\":\"" + special + "\"}]}";
            expected.push_back(v);
            stream += v + (pad % 3 == 0 ? "\n" : "");
        }
    }
    Stream whole;
    CHECK(whole.feed(stream) == Status::NeedMore);
    CHECK(whole.values == expected);
    for (std::size_t chunk : {1, 7, 16, 17, 33}) {
        INFO("chunks of " << chunk);
        Stream s;
        for (std::size_t i = 0; i < stream.size(); i += chunk) s.feed(stream.substr(i, chunk));
        CHECK(s.values == expected);
    }
}

namespace {

// The framer's rules, one byte at a time over the whole stream: the values
// it cuts, and how the stream ends (NeedMore, Garbage, TooDeep or Mismatched).
Status reference_scan(std::string_view s, unsigned max_depth, std::vector<std::string>& values) {
    std::size_t i = 0;
    for (;;) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
        if (i == s.size()) return Status::NeedMore;
        if (s[i] != '{' && s[i] != '[') return Status::Garbage;
        std::size_t begin = i;
        unsigned depth = 0;
        std::string open; // the brackets not yet closed
        bool in_string = false;
        for (;; ++i) {
            if (i == s.size()) return Status::NeedMore;
            char c = s[i];
            if (in_string) {
                if (c == '"') in_string = false;
                else if (c == '\\') ++i; // past the end: NeedMore at the next turn
                if (i >= s.size()) return Status::NeedMore;
                continue;
            }
            if (c == '"') in_string = true;
            else if (c == '{' || c == '[') {
                if (++depth > max_depth) return Status::TooDeep;
                open += c;
            } else if (c == '}' || c == ']') {
                if (open.back() != (c == '}' ? '{' : '[')) return Status::Mismatched;
                open.pop_back();
                if (--depth == 0) break;
            }
        }
        values.emplace_back(s.substr(begin, i + 1 - begin));
        ++i;
    }
}

} // namespace

TEST_CASE("framer: random streams of brackets, quotes and backslashes, in random chunks, frame as a byte-by-byte scan does",
          "[jsonrpc]") {
    std::mt19937 rng(7);
    const std::string_view alphabet = "{}[]\"\\\\xx  \n";
    for (int round = 0; round < 3000; ++round) {
        std::string stream = "{";
        std::size_t len = std::uniform_int_distribution<std::size_t>(1, 120)(rng);
        for (std::size_t k = 0; k < len; ++k)
            stream += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
        const unsigned max_depth = 6;
        std::vector<std::string> want;
        Status want_end = reference_scan(stream, max_depth, want);
        INFO("stream: " << stream);
        Stream s(1 << 20, max_depth);
        Status got_end = Status::NeedMore;
        for (std::size_t i = 0; i < stream.size() && got_end == Status::NeedMore;) {
            std::size_t chunk = std::uniform_int_distribution<std::size_t>(1, 40)(rng);
            got_end = s.feed(stream.substr(i, chunk));
            i += chunk;
        }
        CHECK(s.values == want);
        CHECK(static_cast<int>(got_end) == static_cast<int>(want_end));
    }
}

} // namespace unit_jsonrpc_framer
