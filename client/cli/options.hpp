// The command line of `plugrpc`: subcommands, their options, exit codes.
#pragma once

#include <plugrpc/client/client.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace plugrpc::cli {

// Exit codes (documented in plugrpc(1) and --help).
inline constexpr int kExitOk = 0;
inline constexpr int kExitServerError = 1;    // the server answered with an error
inline constexpr int kExitTransportError = 2; // no connection, connection lost, timeout, bad reply
inline constexpr int kExitUsage = 64;         // bad command line, or params the method refuses (sysexits EX_USAGE)

inline constexpr const char* kDefaultAddress = "127.0.0.1:1234";

enum class Command { Call, List, Describe };

struct Invocation {
    Command command = Command::Call;
    std::string address = kDefaultAddress;
    std::string method;              // call: SERVICE.METHOD; describe: that or SERVICE; list: SERVICE or ""
    std::optional<std::string> data; // call: the params text, or @file / @-
    std::optional<std::string> arg_type; // call --arg-type: the argument's Go type, for gob
    client::Protocol protocol = client::Protocol::Json;
    std::string path = "/_goRPC_";
    std::chrono::milliseconds timeout{5000};
    bool names_only = false;         // list --names
    bool verbose = false;            // -v: the wire exchange on stderr
};

// Parses `argv` (after the subcommand). Returns an exit code when the
// program should stop now (--help printed, or a usage error reported).
std::optional<int> parse_invocation(Command command, const std::vector<std::string>& args, Invocation& out);

// "500ms", "2s", "1.5s", "1m", or plain seconds ("3").
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

void print_usage(std::FILE* out);
void print_command_usage(Command command, std::FILE* out);

} // namespace plugrpc::cli
