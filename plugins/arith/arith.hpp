// Arith: the example service of Go's net/rpc.
//
// Go:  func (t *Arith) Multiply(args *Args, reply *int) error
//      func (t *Arith) Divide(args *Args, quo *Quotient) error
//
// Served by the arith plugin (arith.cpp) and by examples/arith-server,
// which embeds it; examples/arith-client calls it with these types.
#pragma once

#include <plugrpc/plugin.hpp>

#include <cstdint>

namespace arith {

struct Args {
    std::int64_t A, B;
};
BOOST_DESCRIBE_STRUCT(Args, (), (A, B))

struct Quotient {
    std::int64_t Quo, Rem;
};
BOOST_DESCRIBE_STRUCT(Quotient, (), (Quo, Rem))

struct Arith {
    // Go's int wraps on overflow: so does this product (in unsigned, where
    // C++ defines it).
    plugrpc::Status Multiply(const Args& args, std::int64_t& reply) {
        reply = static_cast<std::int64_t>(static_cast<std::uint64_t>(args.A) * static_cast<std::uint64_t>(args.B));
        return {};
    }

    plugrpc::Status Divide(const Args& args, Quotient& quo) {
        if (args.B == 0) return plugrpc::Error("divide by zero");
        if (args.B == -1) { // Go defines MinInt64 / -1 = MinInt64 rem 0; the CPU traps.
            quo.Quo = static_cast<std::int64_t>(0 - static_cast<std::uint64_t>(args.A));
            quo.Rem = 0;
            return {};
        }
        quo.Quo = args.A / args.B;
        quo.Rem = args.A % args.B;
        return {};
    }
};
BOOST_DESCRIBE_STRUCT(Arith, (), (Multiply, Divide))

} // namespace arith
