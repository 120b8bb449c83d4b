// The integration-test harness: start the real plugrpcd binary with a
// generated config in a temporary folder, and talk to it over real sockets.
//
//     Daemon d;                                   // arith.so, tcp://127.0.0.1:0
//     Connection c = Connection::tcp(d.port());
//     c.send(R"({"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1})");
//     CHECK(c.recv_line() == R"({"id":1,"result":56,"error":null})");
//
//     HttpClient http(d.port());
//     HttpResponse r = http.get("/healthz");
//
// Everything is bounded in time: every read and connect has a timeout and
// throws `HarnessError` when it expires, so a broken daemon fails a test
// instead of hanging it. The daemon is stopped (SIGTERM, then SIGKILL after
// a grace period) when its `Daemon` goes out of scope, and killed by the
// kernel if the thread that started it dies: start daemons from the test's
// own thread. Each daemon gets its own folder (config, plugins, log,
// sockets), so tests can run in parallel.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plugrpc::test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

// A harness operation that failed or timed out; Catch2 reports its text.
struct HarnessError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Paths of the built binaries, from CMake.
std::filesystem::path plugrpcd_binary();
std::filesystem::path arith_plugin();
std::filesystem::path slow_plugin();

// A fresh folder under the system's temporary folder, removed with what it
// holds when this goes out of scope. Short, so unix socket paths fit.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    // Write `text` to `name` inside the folder; returns the file's path.
    std::filesystem::path write(const std::string& name, std::string_view text) const;

private:
    std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& file);

inline bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

// What a finished process left behind.
struct RunResult {
    int exit_code = -1;      // exit status, or 128 + signal number
    std::string out;         // its stdout
    std::string err;         // its stderr
};

// Run plugrpcd with `args` to completion (killed after `timeout`), with
// stdout and stderr captured.
RunResult run_plugrpcd(const std::vector<std::string>& args, Millis timeout = 15s);

// Run a shell command (curl, openssl); its exit status and stdout.
std::pair<int, std::string> shell(const std::string& command);

struct DaemonOptions {
    // Copied into the plugin folder before start.
    std::vector<std::filesystem::path> plugins{arith_plugin()};
    // Extra files for the plugin folder: name -> content (e.g. a broken .so).
    std::vector<std::pair<std::string, std::string>> plugin_files;
    // [server] listen; "{dir}" stands for the temporary folder
    // ("unix://{dir}/s.sock").
    std::vector<std::string> listen{"tcp://127.0.0.1:0"};
    std::string log_level = "info";
    unsigned threads = 2;
    // TOML appended to the generated config.
    std::string extra_config;
    // TOML lines added to the generated [server] table.
    std::string server_config;
    // TOML lines added to the generated [plugins] table.
    std::string plugins_config;
    // Extra command-line arguments ("{dir}" as in `listen`).
    std::vector<std::string> extra_args;
    Millis start_timeout = 15s;
    // Also wait (within start_timeout) until the daemon logs that the loads
    // of its start-up have finished, so that the plugins are served. Off for
    // tests of a plugin whose init is slow.
    bool wait_for_plugins = true;
};

// A running plugrpcd. The constructor returns once as many listeners as
// `listen` names are logged as listening (and, unless told otherwise, the
// start-up plugin loads are done), or throws HarnessError with the daemon's
// log.
class Daemon {
public:
    explicit Daemon(DaemonOptions options = {});
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // The port of the first TCP listener, as the daemon logged it.
    std::uint16_t port() const;
    // Every "listening on ADDR" address, in the order logged.
    const std::vector<std::string>& listening() const { return listening_; }
    // The temporary folder that holds config, plugins, log and sockets.
    const std::filesystem::path& dir() const { return dir_.path(); }
    std::filesystem::path plugin_dir() const { return dir_.path() / "plugins"; }
    std::filesystem::path config_file() const { return dir_.path() / "plugrpcd.toml"; }
    pid_t pid() const { return pid_; }

    // Everything the daemon wrote to stderr so far.
    std::string log() const;
    // Wait until the log contains `needle`; false on timeout.
    bool wait_for_log(std::string_view needle, Millis timeout = 5s) const;
    bool running();

    // Wait up to `timeout` for the daemon to exit by itself (after a signal
    // the test sent); its exit status, or nothing if it still runs.
    std::optional<int> wait_exit(Millis timeout);

    // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status
    // (128 + signal when killed). Later calls return the same status.
    int stop(Millis grace = 15s);

private:
    TempDir dir_;
    DaemonOptions options_;
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::vector<std::string> listening_;
};

// A client socket (TCP or unix) with time-bounded I/O.
class Connection {
public:
    static Connection tcp(std::uint16_t port, Millis timeout = 5s);
    static Connection unix_socket(const std::filesystem::path& path, Millis timeout = 5s);
    // From a given local address ("127.0.0.2": Linux routes all of 127/8 to lo).
    static Connection tcp_from(const std::string& source, std::uint16_t port, Millis timeout = 5s);
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    ~Connection();

    void send(std::string_view bytes, Millis timeout = 5s);
    // Send `line` and a newline.
    void send_line(std::string_view line, Millis timeout = 5s) { send(std::string(line) + "\n", timeout); }
    // Up to the next '\n' (not included). Throws on timeout or end of stream.
    std::string recv_line(Millis timeout = 5s);
    // Exactly `n` bytes.
    std::string recv_exact(std::size_t n, Millis timeout = 5s);
    // Up to and including `delimiter`.
    std::string recv_until(std::string_view delimiter, Millis timeout = 5s);
    // Whatever arrives before the peer closes (throws on timeout).
    std::string recv_all(Millis timeout = 5s);
    // True when nothing arrives within `wait` (and the peer has not closed).
    bool quiet_for(Millis wait);
    // True when the peer closes the stream within `timeout` (data still
    // unread before the close is discarded).
    bool closed_by_peer(Millis timeout = 5s);
    void shutdown_write();
    int fd() const { return fd_; }

private:
    explicit Connection(int fd) : fd_(fd) {}
    // Read more into buffer_; false at end of stream. Throws on timeout.
    bool fill(std::chrono::steady_clock::time_point deadline);
    int fd_ = -1;
    std::string buffer_;
};

struct HttpResponse {
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers; // names lower-cased
    std::string body;

    // The first header of that (case-insensitive) name, or "".
    std::string header(std::string_view name) const;
};

// HTTP/1.1 over one connection, kept alive between requests.
class HttpClient {
public:
    explicit HttpClient(std::uint16_t port, Millis timeout = 5s);
    explicit HttpClient(Connection connection, Millis timeout = 5s);

    // Sends Host and, with a body, Content-Length; `headers` are added as given.
    HttpResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                         const std::vector<std::pair<std::string, std::string>>& headers = {});
    HttpResponse get(std::string_view target, std::string_view accept = "*/*");
    HttpResponse post(std::string_view target, std::string_view body,
                      std::string_view content_type = "application/json");
    // Send raw bytes and read one response (for hand-written requests).
    HttpResponse raw(std::string_view request_bytes, bool head_request = false);
    Connection& connection() { return conn_; }

private:
    HttpResponse read_response(bool head_request);
    Connection conn_;
    Millis timeout_;
};

} // namespace plugrpc::test
