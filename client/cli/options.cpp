#include "options.hpp"

#include <charconv>
#include <cstdio>

namespace plugrpc::cli {

namespace {

const char* kCommandHelp[] = {
    // Call
    "Usage: plugrpc call [OPTIONS] [ADDR] SERVICE.METHOD [PARAMS]\n"
    "\n"
    "Call one method and print its result as JSON on stdout.\n"
    "PARAMS is the argument as JSON ({\"A\":7,\"B\":8}, or 7 for a method that takes\n"
    "an integer); without it, -d gives it, and without either the argument is\n"
    "its zero value.\n"
    "\n"
    "Options:\n"
    "  -d, --data TEXT       the params: JSON text, @FILE to read a file, @- for stdin\n"
    "  -P, --proto PROTO     json (JSON-RPC over TCP, the default), gob (Go's net/rpc),\n"
    "                        gob-http (gob after CONNECT), http (JSON-RPC 2.0 POSTed to --path)\n"
    "      --path PATH       the rpc path for http and gob-http (default /_goRPC_)\n"
    "      --arg-type TYPE   the argument's Go type, for gob when the server does not\n"
    "                        describe its methods: 'struct{A int; B int}', '[]uint8',\n"
    "                        'map[string]float64', 'uint64' (see plugrpc(1))\n"
    "  -t, --timeout DUR     how long to wait for the connection and the reply\n"
    "                        (default 5s; 500ms, 2s, 1m)\n"
    "  -v, --verbose         show the requests and replies on stderr as they cross the wire\n"
    "  -h, --help            show this help\n"
    "\n"
    "ADDR: HOST:PORT, unix:/PATH, or etcd://HOST:PORT/prefix/Service for any daemon\n"
    "registered in etcd there (see plugrpc --help).\n"
    "\n"
    "plugrpc first asks the server for its methods (rpc.discover, on the same\n"
    "connection and protocol) and checks PARAMS against the argument's type: params\n"
    "that do not fit are refused before the call, the same way on every protocol.\n"
    "\n"
    "Against Go's own net/rpc servers, which do not serve rpc.discover:\n"
    "  gob       works with rpc.Accept/rpc.ServeConn; gob-http with rpc.HandleHTTP. The\n"
    "            argument's gob type is derived from PARAMS: an object is a struct with\n"
    "            its fields in the order given, an integer int64, another number\n"
    "            float64, arrays slices; --arg-type gives what JSON cannot say (uint,\n"
    "            float32 for 2, []byte, maps). The reply is read as the server types it.\n"
    "  json      works with jsonrpc.ServeConn (its Go dialect is detected); PARAMS is\n"
    "            sent as Go's params[0].\n"
    "  http      does not work: Go's HTTP handler accepts only CONNECT (use gob-http).\n",
    // List
    "Usage: plugrpc list [OPTIONS] [ADDR] [SERVICE]\n"
    "\n"
    "List the methods ADDR serves (or those of SERVICE), with their argument and\n"
    "reply types, from rpc.discover: plugrpcd serves it on every protocol; Go's\n"
    "net/rpc servers do not, so list does not work against them.\n"
    "\n"
    "Options:\n"
    "      --names           print only the method names, one per line\n"
    "  -P, --proto PROTO     ask over json (default), gob, gob-http or http\n"
    "      --path PATH       the rpc path for http and gob-http (default /_goRPC_)\n"
    "  -t, --timeout DUR     default 5s\n"
    "  -v, --verbose         show the request and reply on stderr\n"
    "  -h, --help            show this help\n",
    // Describe
    "Usage: plugrpc describe [OPTIONS] [ADDR] SERVICE.METHOD|SERVICE\n"
    "\n"
    "Show a method's signature and the JSON schemas of its argument and reply, or\n"
    "those of every method of SERVICE (from rpc.discover, which Go's net/rpc\n"
    "servers do not serve).\n"
    "\n"
    "Options:\n"
    "  -P, --proto PROTO     ask over json (default), gob, gob-http or http\n"
    "      --path PATH       the rpc path for http and gob-http (default /_goRPC_)\n"
    "  -t, --timeout DUR     default 5s\n"
    "  -v, --verbose         show the request and reply on stderr\n"
    "  -h, --help            show this help\n",
};

int usage_error(const std::string& why) {
    std::fprintf(stderr, "plugrpc: %s (see --help)\n", why.c_str());
    return kExitUsage;
}

bool parse_protocol(std::string_view s, client::Protocol& p) {
    if (s == "json") p = client::Protocol::Json;
    else if (s == "gob") p = client::Protocol::Gob;
    else if (s == "gob-http") p = client::Protocol::GobHttp;
    else if (s == "http") p = client::Protocol::Http;
    else return false;
    return true;
}

// ADDR is told from a method name by its colon (HOST:PORT, unix:/PATH, etcd://...).
bool is_address(std::string_view s) { return s.find(':') != std::string_view::npos; }

} // namespace

void print_usage(std::FILE* out) {
    std::fprintf(out,
                 "Usage: plugrpc COMMAND [OPTIONS] [ADDR] ...\n"
                 "\n"
                 "Call the methods a plugrpcd serves; call those of Go's net/rpc servers too\n"
                 "(gob, gob-http; json with jsonrpc.ServeConn: see `plugrpc call --help`).\n"
                 "\n"
                 "Commands:\n"
                 "  call [ADDR] SERVICE.METHOD [PARAMS]   call a method, print its result as JSON\n"
                 "  list [ADDR] [SERVICE]                 list methods with argument and reply types\n"
                 "  describe [ADDR] SERVICE[.METHOD]      show the argument and reply schemas\n"
                 "\n"
                 "ADDR is HOST:PORT (default %s), unix:/PATH, or\n"
                 "etcd://HOST:PORT/prefix/Service: any daemon registered in etcd under that\n"
                 "prefix (plugrpcd's [registry]): etcd://127.0.0.1:2379/plugrpc/services/Arith\n"
                 "`plugrpc COMMAND --help` shows a command's options.\n"
                 "\n"
                 "  -h, --help      show this help\n"
                 "  -V, --version   show the version\n"
                 "\n"
                 "Exit status: 0 success; 1 the server answered with an error (its text on\n"
                 "stderr, the same on every protocol); 2 transport error (cannot connect,\n"
                 "connection lost, timeout, malformed reply); 64 usage error, or params the\n"
                 "method refuses (found by plugrpc from the argument's type, or by the server:\n"
                 "JSON-RPC's invalid params, Go's decoder refusing the argument).\n"
                 "See plugrpc(1).\n",
                 kDefaultAddress);
}

void print_command_usage(Command command, std::FILE* out) {
    std::fputs(kCommandHelp[static_cast<int>(command)], out);
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    double scale = 1000; // plain numbers are seconds
    if (text.ends_with("ms")) scale = 1, text.remove_suffix(2);
    else if (text.ends_with("s")) text.remove_suffix(1);
    else if (text.ends_with("m")) scale = 60000, text.remove_suffix(1);
    double n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n <= 0 || n * scale > 86400e3)
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<long long>(n * scale + 0.5));
}

std::optional<int> parse_invocation(Command command, const std::vector<std::string>& args, Invocation& out) {
    out.command = command;
    std::vector<std::string> positional;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i], value;
        bool has_value = false;
        if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos)
            value = a.substr(eq + 1), a = a.substr(0, eq), has_value = true;
        auto need = [&](const char* name) -> std::optional<int> {
            if (has_value) return std::nullopt;
            if (i + 1 >= args.size()) return usage_error(std::string(name) + " needs a value");
            value = args[++i];
            return std::nullopt;
        };
        if (a == "-h" || a == "--help") return print_command_usage(command, stdout), kExitOk;
        if (a == "--") {
            positional.insert(positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
            break;
        }
        if ((a == "-d" || a == "--data") && command == Command::Call) {
            if (auto e = need("--data")) return e;
            out.data = value;
        } else if (a == "--arg-type" && command == Command::Call) {
            if (auto e = need("--arg-type")) return e;
            out.arg_type = value;
        } else if (a == "-v" || a == "--verbose") {
            out.verbose = true;
        } else if (a == "-P" || a == "--proto") {
            if (auto e = need("--proto")) return e;
            if (!parse_protocol(value, out.protocol)) return usage_error("--proto " + value + ": use json, gob, gob-http or http");
        } else if (a == "--path") {
            if (auto e = need("--path")) return e;
            if (value.empty() || value[0] != '/') return usage_error("--path " + value + ": must start with /");
            out.path = value;
        } else if (a == "-t" || a == "--timeout") {
            if (auto e = need("--timeout")) return e;
            auto d = parse_duration(value);
            if (!d) return usage_error("--timeout " + value + ": not a duration (500ms, 2s, 1m)");
            out.timeout = *d;
        } else if (a == "--names" && command == Command::List) {
            out.names_only = true;
        } else if (a.size() > 1 && a[0] == '-') {
            return usage_error("unknown option " + args[i]);
        } else {
            positional.push_back(args[i]);
        }
    }
    if (!positional.empty() && is_address(positional.front())) {
        out.address = positional.front();
        positional.erase(positional.begin());
    }
    std::size_t max_args = command == Command::Call ? 2 : 1;
    if (positional.size() > max_args) return usage_error("unexpected argument " + positional[max_args]);
    if (command != Command::List && positional.empty())
        return usage_error(command == Command::Call ? "which method? (SERVICE.METHOD)" : "which service or method?");
    if (!positional.empty()) out.method = positional[0];
    if (positional.size() == 2) {
        if (out.data) return usage_error("give the params either as an argument or with --data, not both");
        out.data = positional[1];
    }
    return std::nullopt;
}

} // namespace plugrpc::cli
