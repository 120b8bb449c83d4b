// plugrpc: call, list and describe the methods a plugrpcd serves.
//
//     plugrpc call 127.0.0.1:1234 Arith.Multiply '{"A":7,"B":8}'     -> 56
//     plugrpc list                                                  -> a table
//     plugrpc describe Arith.Divide                                 -> the schemas
//
// Exit status: 0 success, 1 server error, 2 transport error, 64 usage.
#include "commands.hpp"
#include "options.hpp"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    using namespace plugrpc::cli;
    if (argc < 2) {
        print_usage(stderr);
        return kExitUsage;
    }
    std::string first = argv[1];
    if (first == "-h" || first == "--help" || first == "help") return print_usage(stdout), kExitOk;
    if (first == "-V" || first == "--version") return std::printf("plugrpc %s\n", PLUGRPC_VERSION), kExitOk;
    Command command;
    if (first == "call") command = Command::Call;
    else if (first == "list") command = Command::List;
    else if (first == "describe") command = Command::Describe;
    else {
        std::fprintf(stderr, "plugrpc: unknown command %s (see --help)\n", first.c_str());
        return kExitUsage;
    }
    Invocation inv;
    if (auto exit = parse_invocation(command, std::vector<std::string>(argv + 2, argv + argc), inv)) return *exit;
    try {
        switch (command) {
        case Command::Call: return run_call(inv);
        case Command::List: return run_list(inv);
        case Command::Describe: return run_describe(inv);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "plugrpc: %s\n", e.what());
    }
    return kExitTransportError;
}
