// plugrpc list and plugrpc describe: what rpc.discover says, for people.
#include "commands.hpp"
#include "connection.hpp"
#include "discover.hpp"
#include "pretty_json.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

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

// The methods of the server, or why not (printed; the exit code returned).
std::optional<std::vector<MethodInfo>> served(const Invocation& inv, int& exit) {
    auto conn = connect_and_discover(inv);
    if (!conn) return exit = report(conn.error()), std::nullopt;
    if (!conn->discovery.methods) {
        client::Error e = conn->discovery.refusal;
        e.message += " (" + inv.address + " does not describe its methods: Go's net/rpc servers do not serve rpc.discover; plugrpcd does)";
        return exit = report(e), std::nullopt;
    }
    return std::move(*conn->discovery.methods);
}

// Those of `service`; none when it serves none.
std::vector<MethodInfo> of_service(const std::vector<MethodInfo>& methods, const std::string& service) {
    std::vector<MethodInfo> out;
    for (const MethodInfo& m : methods)
        if (service_of(m.name) == service) out.push_back(m);
    return out;
}

int no_such(const Invocation& inv, const std::string& what) {
    // Go's words for a name it does not serve.
    return report(client::Error{client::ErrorKind::Server, "rpc: can't find " + what + " " + inv.method, 0});
}

void describe(const MethodInfo& m) {
    std::printf("%s(%s) %s\n", m.name.c_str(), type_name_of(m.args).c_str(), type_name_of(m.reply).c_str());
    if (!m.description.empty()) std::printf("%s\n", m.description.c_str());
    std::printf("\nargument %s:\n%s\n", type_name_of(m.args).c_str(), pretty_json(m.args).c_str());
    std::printf("\nreply %s:\n%s\n", type_name_of(m.reply).c_str(), pretty_json(m.reply).c_str());
}

} // namespace

int run_list(const Invocation& inv) {
    int exit = kExitOk;
    auto methods = served(inv, exit);
    if (!methods) return exit;
    if (!inv.method.empty()) {
        *methods = of_service(*methods, inv.method);
        if (methods->empty()) return no_such(inv, "service");
    }
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
    int exit = kExitOk;
    auto methods = served(inv, exit);
    if (!methods) return exit;
    for (const MethodInfo& m : *methods)
        if (m.name == inv.method) return describe(m), kExitOk;
    std::vector<MethodInfo> service = of_service(*methods, inv.method);
    if (service.empty()) {
        // Go's: a known service without that method, else no such service.
        bool known = !of_service(*methods, service_of(inv.method)).empty();
        return no_such(inv, known ? "method" : "service");
    }
    for (std::size_t i = 0; i < service.size(); ++i) {
        if (i) std::printf("\n");
        describe(service[i]);
    }
    return kExitOk;
}

} // namespace plugrpc::cli
