// The subcommands of `plugrpc`; each returns the process's exit code.
#pragma once

#include "options.hpp"

namespace plugrpc::cli {

int run_call(const Invocation& inv);
int run_list(const Invocation& inv);
int run_describe(const Invocation& inv);

// Prints `e` on stderr (a server's error text as sent) and returns its exit code.
int report(const client::Error& e);

} // namespace plugrpc::cli
