// plugrpc list and plugrpc describe: what rpc.discover says, for people.
#include "commands.hpp"
#include "discover.hpp"
#include "pretty_json.hpp"

#include <algorithm>
#include <cstdio>

namespace plugrpc::cli {

namespace {

// Rows of cells, each column as wide as its widest cell plus two spaces.
void print_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width;
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], row[i].size());
        }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row[i] + std::string(width[i] - row[i].size() + 2, ' ') : row[i];
        std::printf("%s\n", line.c_str());
    }
}

} // namespace

int run_list(const Invocation& inv) {
    auto methods = discover(inv);
    if (!methods) return report(methods.error());
    if (inv.names_only) {
        for (const MethodInfo& m : *methods) std::printf("%s\n", m.name.c_str());
        return kExitOk;
    }
    std::vector<std::vector<std::string>> rows{{"METHOD", "ARGUMENT", "REPLY"}};
    for (const MethodInfo& m : *methods) rows.push_back({m.name, type_name_of(m.args), type_name_of(m.reply)});
    print_table(rows);
    return kExitOk;
}

int run_describe(const Invocation& inv) {
    auto methods = discover(inv);
    if (!methods) return report(methods.error());
    for (const MethodInfo& m : *methods) {
        if (m.name != inv.method) continue;
        std::printf("%s(%s) %s\n", m.name.c_str(), type_name_of(m.args).c_str(), type_name_of(m.reply).c_str());
        if (!m.description.empty()) std::printf("%s\n", m.description.c_str());
        std::printf("\nargument %s:\n%s\n", type_name_of(m.args).c_str(), pretty_json(m.args).c_str());
        std::printf("\nreply %s:\n%s\n", type_name_of(m.reply).c_str(), pretty_json(m.reply).c_str());
        return kExitOk;
    }
    return report(client::Error{client::ErrorKind::Server,
                                "rpc: can't find method " + inv.method + " (rpc.discover at " + inv.address +
                                    " does not list it)",
                                0});
}

} // namespace plugrpc::cli
