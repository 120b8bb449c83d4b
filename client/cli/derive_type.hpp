// The gob type of an argument told from its JSON, for a server that does
// not describe its methods (Go's own net/rpc servers have no rpc.discover):
//
//     {"A":7,"B":8}     struct{A int64; B int64}   fields in the order given
//     7  -7             int64 (an integer literal; past int64, uint64)
//     2.5  1e3  2.0     float64
//     "x"  true         string, bool
//     [1,2]             []int64: every element of one type
//     {"P":{"X":1}}     nested objects are structs
//
// null, an empty array and elements of differing types are refused: their
// type cannot be told (--arg-type says it).
#pragma once

#include "wire/schema.hpp"

#include <boost/json/value.hpp>

namespace plugrpc::cli {

SchemaResult derive_type(const boost::json::value& v);

} // namespace plugrpc::cli
