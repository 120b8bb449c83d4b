// Go's Arith types as the arith plugin declares them (plugins/arith), and
// the test plugin's Sleep argument: what the client-library tests call with.
#pragma once

#include <arith.hpp>

#include <boost/describe.hpp>

#include <cstdint>

namespace plugrpc::test {

using arith::Args;
using arith::Quotient;

struct SleepArgs {
    std::int64_t Millis;
};
BOOST_DESCRIBE_STRUCT(SleepArgs, (), (Millis))

} // namespace plugrpc::test
