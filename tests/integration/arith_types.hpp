// Go's Arith types as the arith plugin declares them, and the test plugin's
// Sleep argument: what the client-library tests call with.
#pragma once

#include <boost/describe.hpp>

#include <cstdint>

namespace plugrpc::test {

struct Args {
    std::int64_t A, B;
};
BOOST_DESCRIBE_STRUCT(Args, (), (A, B))

struct Quotient {
    std::int64_t Quo, Rem;
};
BOOST_DESCRIBE_STRUCT(Quotient, (), (Quo, Rem))

struct SleepArgs {
    std::int64_t Millis;
};
BOOST_DESCRIBE_STRUCT(SleepArgs, (), (Millis))

} // namespace plugrpc::test
