// Arith: the example service of Go's net/rpc, served by plugrpcd.
//
// Go:  func (t *Arith) Multiply(args *Args, reply *int) error
//      func (t *Arith) Divide(args *Args, quo *Quotient) error
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
    // Built with -fwrapv: the product wraps on overflow, as Go's int does.
    plugrpc::Status Multiply(const Args& args, std::int64_t& reply) {
        reply = args.A * args.B;
        return {};
    }

    plugrpc::Status Divide(const Args& args, Quotient& quo) {
        if (args.B == 0) return plugrpc::Error("divide by zero");
        if (args.B == -1) { // Go defines MinInt64 / -1 = MinInt64 rem 0; the CPU traps.
            quo.Quo = -args.A;
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

PLUGRPC_PLUGIN("arith", "1.0.0", "Integer arithmetic: Go's net/rpc Arith example") {
    plugin.add<arith::Arith>();
}
