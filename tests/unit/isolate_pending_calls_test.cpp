// The calls an isolated plugin's child holds (isolate/pending_calls.hpp):
// an id names its call once, an id the child made up or kept names none,
// and the table gives back every call it held. No process, no pipe.
#include "server/isolate/pending_calls.hpp"

#include <catch2/catch.hpp>

#include <set>

namespace unit_isolate_pending_calls {

using plugrpc::isolate::PendingCalls;
using Clock = PendingCalls::Clock;

plrpc_call* handle(std::uintptr_t n) { return reinterpret_cast<plrpc_call*>(n * 16); }

TEST_CASE("a pending call is taken once by its id, with what it was added with", "[isolate]") {
    PendingCalls t;
    auto at = Clock::now();
    std::uint64_t a = t.add({handle(1), 3, at});
    std::uint64_t b = t.add({handle(2), 5, Clock::time_point::max()});
    CHECK(a != b);
    CHECK(t.size() == 2);
    PendingCalls::Entry e;
    REQUIRE(t.take(b, e));
    CHECK(e.handle == handle(2));
    CHECK(e.method == 5);
    CHECK(e.hard_deadline == Clock::time_point::max());
    CHECK_FALSE(t.take(b, e)); // answered twice: the second names nothing
    REQUIRE(t.take(a, e));
    CHECK(e.handle == handle(1));
    CHECK(e.hard_deadline == at);
    CHECK(t.size() == 0);
}

TEST_CASE("an id kept from a call whose slot was used again names nothing", "[isolate]") {
    PendingCalls t;
    PendingCalls::Entry e;
    std::uint64_t old = t.add({handle(1), 0, {}});
    REQUIRE(t.take(old, e));
    std::uint64_t now = t.add({handle(2), 0, {}}); // the same slot
    CHECK(static_cast<std::uint32_t>(now) == static_cast<std::uint32_t>(old));
    CHECK(now != old);
    CHECK_FALSE(t.take(old, e));
    REQUIRE(t.take(now, e));
    CHECK(e.handle == handle(2));
}

TEST_CASE("ids a child makes up name nothing", "[isolate]") {
    PendingCalls t;
    PendingCalls::Entry e;
    std::uint64_t id = t.add({handle(1), 0, {}});
    for (std::uint64_t made_up : {std::uint64_t{0}, id + 1, id ^ (std::uint64_t{1} << 32), ~std::uint64_t{0},
                                  std::uint64_t{7} << 32, id & 0xffffffffu})
        CHECK_FALSE(t.take(made_up, e));
    CHECK(t.size() == 1);
    CHECK(t.take(id, e));
}

TEST_CASE("take_all gives back every call held, once, and frees their ids", "[isolate]") {
    PendingCalls t;
    std::vector<std::uint64_t> ids;
    for (std::uintptr_t i = 1; i <= 100; ++i) ids.push_back(t.add({handle(i), 0, {}}));
    PendingCalls::Entry e;
    for (std::size_t i = 0; i < ids.size(); i += 2) REQUIRE(t.take(ids[i], e));
    auto all = t.take_all();
    CHECK(all.size() == 50);
    std::set<plrpc_call*> handles;
    for (const auto& x : all) handles.insert(x.handle);
    CHECK(handles.size() == 50);
    for (std::uintptr_t i = 2; i <= 100; i += 2) CHECK(handles.count(handle(i)) == 1);
    CHECK(t.size() == 0);
    for (auto id : ids) CHECK_FALSE(t.take(id, e));
    CHECK(t.take_all().empty());
    // The slots serve again, with new ids.
    std::uint64_t again = t.add({handle(7), 0, {}});
    CHECK(std::find(ids.begin(), ids.end(), again) == ids.end());
    CHECK(t.take(again, e));
}

TEST_CASE("first_past finds a held call past its hard deadline, and no other", "[isolate]") {
    PendingCalls t;
    auto now = Clock::now();
    CHECK(t.first_past(now) == nullptr);
    t.add({handle(1), 1, Clock::time_point::max()});
    std::uint64_t late = t.add({handle(2), 2, now - std::chrono::seconds(1)});
    t.add({handle(3), 3, now + std::chrono::seconds(1)});
    const auto* p = t.first_past(now);
    REQUIRE(p != nullptr);
    CHECK(p->method == 2);
    PendingCalls::Entry e;
    REQUIRE(t.take(late, e));
    CHECK(t.first_past(now) == nullptr);
    CHECK(t.first_past(now + std::chrono::seconds(2)) != nullptr);
}

} // namespace unit_isolate_pending_calls
