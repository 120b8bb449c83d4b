// rpc/completion.hpp: a call's completion, held in place when it fits.
#include "server/rpc/call.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <memory>
#include <string>

// Each file in its own namespace: unity builds compile several together.
namespace unit_rpc_completion {

using plugrpc::Completion;
using plugrpc::Outcome;

TEST_CASE("completion: callables up to kInline bytes are called with the outcome, after moves", "[rpc]") {
    auto seen = std::make_shared<std::string>();
    // As large as a completion may be: the rest of kInline after a pointer.
    std::array<char, Completion::kInline - sizeof(seen)> big{};
    big[0] = 'b';
    Completion small = [seen](Outcome&& o) { *seen += "small:" + o.error + ";"; };
    Completion large = [seen, big](Outcome&& o) { *seen += std::string(1, big[0]) + ":" + o.error + ";"; };
    Completion moved = std::move(small);
    Completion assigned;
    assigned = std::move(large);
    CHECK_FALSE(small);
    CHECK_FALSE(large);
    REQUIRE(moved);
    REQUIRE(assigned);
    Outcome o;
    o.error = "x";
    moved(std::move(o));
    Outcome p;
    p.error = "y";
    assigned(std::move(p));
    CHECK(*seen == "small:x;b:y;");
}

TEST_CASE("completion: what a callable holds is released exactly once, through moves", "[rpc]") {
    auto held = std::make_shared<int>(7);
    std::array<char, 64> big{};
    {
        Completion a = [held](Outcome&&) {};
        Completion b = [held, big](Outcome&&) { (void)big; };
        CHECK(held.use_count() == 3);
        Completion c = std::move(a);
        Completion d = std::move(b);
        CHECK(held.use_count() == 3);
        c = std::move(d); // c's callable is destroyed, d's moves in
        CHECK(held.use_count() == 2);
    }
    CHECK(held.use_count() == 1);
}

TEST_CASE("completion: calling an empty one throws, as std::function does", "[rpc]") {
    Completion empty;
    CHECK_FALSE(empty);
    CHECK_THROWS_AS(empty(Outcome{}), std::bad_function_call);
}

} // namespace unit_rpc_completion
