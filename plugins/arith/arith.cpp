// The arith plugin: Go's net/rpc Arith example (arith.hpp), served by plugrpcd.
#include "arith.hpp"

PLUGRPC_PLUGIN("arith", "1.0.0", "Integer arithmetic: Go's net/rpc Arith example") {
    plugin.add<arith::Arith>();
}
