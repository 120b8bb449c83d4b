// Numbers standard JSON cannot carry: a plugin of ABI 1.0 or 1.1 reads its
// arguments as standard JSON (abi.h, "Values as text"), so a call whose
// arguments hold a NaN or an infinity is refused before it reaches one.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace plugrpc {

// Where `v` holds a number standard JSON cannot carry, why it cannot reach
// a plugin that reads only that ("field F: NaN ..."); empty when it holds none.
std::string non_finite_field(const boost::json::value& v);

} // namespace plugrpc
