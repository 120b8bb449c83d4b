// Gob streams found by the fuzz target tests/fuzz/gob_request_fuzz.cpp:
// each once broke a sanitizer or a property of the decoder.
#include "gob_test_support.hpp"

#include <catch2/catch.hpp>

// Each file in its own namespace: unity builds compile several together.
namespace unit_gob_fuzz_regressions {

using namespace gobtest;
using Step = gob::RequestDecoder::Step;

TEST_CASE("gob closes the connection on a type definition for id -2^63, which has no negation", "[gob]") {
    // A definition message whose type id is int64's minimum; negating it to
    // find the id it defines was undefined behaviour.
    gob::RequestDecoder dec(1 << 20);
    dec.feed(bytes("0c f8 ff ff ff ff ff ff ff ff ff 07 00"));
    CHECK(dec.next() == Step::Fatal);
    CHECK(dec.fatal_error() == "gob: duplicate type received");
}

TEST_CASE("gob: the id a definition message defines, for every int64", "[gob]") {
    CHECK(gob::TypeTable::defined_id(-65) == 65);
    CHECK(gob::TypeTable::defined_id(-9223372036854775807LL) == 9223372036854775807LL);
    CHECK(gob::TypeTable::defined_id(std::numeric_limits<std::int64_t>::min()) == 0);
}

} // namespace unit_gob_fuzz_regressions
