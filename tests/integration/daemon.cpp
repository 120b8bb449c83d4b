#include "daemon.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace plugrpc::test {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::filesystem::path plugrpcd_binary() { return PLUGRPC_TEST_PLUGRPCD; }
std::filesystem::path arith_plugin() { return PLUGRPC_TEST_ARITH_PLUGIN; }
std::filesystem::path slow_plugin() { return PLUGRPC_TEST_SLOW_PLUGIN; }

namespace {

// What plugrpcd logs once every plugin load of its start-up has finished.
constexpr std::string_view kStartupLoadsDone = "start-up plugin loads done";

[[noreturn]] void fail(const std::string& what) { throw HarnessError(what); }

[[noreturn]] void fail_errno(const std::string& what) { fail(what + ": " + std::strerror(errno)); }

// Milliseconds left until `deadline`, for poll(); never negative.
int millis_left(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(std::min<long long>(left, 1 << 30)) : 0;
}

// Wait for `events` on `fd` until `deadline`; false on timeout.
bool wait_fd(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, millis_left(deadline));
        if (n > 0) return true;
        if (n == 0) return false;
        if (errno != EINTR) fail_errno("poll");
    }
}

std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// The environment for the daemon: ours, without what would make it talk to
// a service manager that started the test run.
std::vector<std::string> child_environment() {
    static const char* dropped[] = {"NOTIFY_SOCKET=", "LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES=",
                                    "JOURNAL_STREAM=", "WATCHDOG_USEC=", "WATCHDOG_PID=", "RUNTIME_DIRECTORY="};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string_view v = *e;
        if (std::none_of(std::begin(dropped), std::end(dropped), [&](const char* d) { return v.rfind(d, 0) == 0; }))
            env.emplace_back(v);
    }
    return env;
}

int open_output(const fs::path& file) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail_errno("open " + file.string());
    return fd;
}

// Start plugrpcd with `args`, stdin from /dev/null, stdout and stderr to the
// given descriptors. The child is killed if the test process dies.
pid_t spawn_plugrpcd(const std::vector<std::string>& args, int out_fd, int err_fd) {
    std::vector<std::string> argv_s{plugrpcd_binary().string()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<std::string> env_s = child_environment();
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    int in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) fail_errno("open /dev/null");
    pid_t parent = ::getpid();

    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(in_fd);
        fail_errno("fork");
    }
    if (pid == 0) {
        // Only async-signal-safe calls from here on.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(126);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::dup2(in_fd, 0);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(in_fd);
    return pid;
}

// Wait for `pid` until `deadline`; its decoded status, or nothing.
std::optional<int> wait_child(pid_t pid, Clock::time_point deadline) {
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return decode_status(status);
        if (r < 0 && errno != EINTR) fail_errno("waitpid");
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
}

int kill_and_reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return decode_status(status);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

} // namespace

// ---------------------------------------------------------------- files

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "plugrpc-it-XXXXXX").string();
    if (tmpl.size() > 60) tmpl = "/tmp/plugrpc-it-XXXXXX"; // keep unix socket paths short
    if (!::mkdtemp(tmpl.data())) fail_errno("mkdtemp " + tmpl);
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

fs::path TempDir::write(const std::string& name, std::string_view text) const {
    fs::path file = path_ / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) fail("cannot write " + file.string());
    return file;
}

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// ---------------------------------------------------------------- processes

RunResult run_plugrpcd(const std::vector<std::string>& args, Millis timeout) {
    TempDir dir;
    int out_fd = open_output(dir.path() / "stdout");
    int err_fd = open_output(dir.path() / "stderr");
    pid_t pid = -1;
    try {
        pid = spawn_plugrpcd(args, out_fd, err_fd);
    } catch (...) {
        ::close(out_fd);
        ::close(err_fd);
        throw;
    }
    ::close(out_fd);
    ::close(err_fd);
    RunResult r;
    auto status = wait_child(pid, Clock::now() + timeout);
    r.exit_code = status ? *status : kill_and_reap(pid);
    r.out = read_file(dir.path() / "stdout");
    r.err = read_file(dir.path() / "stderr");
    if (!status) fail("plugrpcd did not exit within " + std::to_string(timeout.count()) + " ms; stderr:\n" + r.err);
    return r;
}

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {
    fs::create_directory(plugin_dir());
    // The daemon refuses plugin folders others may write to, whatever the umask.
    fs::permissions(plugin_dir(), fs::perms::group_write | fs::perms::others_write, fs::perm_options::remove);
    for (const auto& p : options_.plugins) fs::copy_file(p, plugin_dir() / p.filename());
    for (const auto& [name, content] : options_.plugin_files) {
        std::ofstream out(plugin_dir() / name, std::ios::binary);
        out << content;
    }

    std::string listen;
    for (const auto& l : options_.listen)
        listen += (listen.empty() ? "" : ", ") + toml_string(replace_all(l, "{dir}", dir().string()));
    std::string config = "[server]\nlisten = [" + listen + "]\nthreads = " + std::to_string(options_.threads) +
                         "\n" + options_.server_config + "\n[plugins]\ndirs = [" +
                         toml_string(plugin_dir().string()) + "]\n" + options_.plugins_config + "\n[log]\nlevel = " + toml_string(options_.log_level) +
                         "\n\n" + options_.extra_config + "\n";
    dir_.write("plugrpcd.toml", config);

    std::vector<std::string> args{"--config", config_file().string()};
    for (const auto& a : options_.extra_args) args.push_back(replace_all(a, "{dir}", dir().string()));
    int out_fd = open_output(dir() / "stdout.log");
    int err_fd = open_output(dir() / "plugrpcd.log");
    try {
        pid_ = spawn_plugrpcd(args, out_fd, err_fd);
    } catch (...) {
        ::close(out_fd);
        ::close(err_fd);
        throw;
    }
    ::close(out_fd);
    ::close(err_fd);

    try {
        const std::string_view marker = "listening on ";
        auto deadline = Clock::now() + options_.start_timeout;
        for (;;) {
            std::string text = log();
            listening_.clear();
            for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
                std::size_t begin = at + marker.size();
                std::size_t end = text.find('\n', begin);
                if (end == std::string::npos) break; // the line is still being written
                listening_.push_back(trim(std::string_view(text).substr(begin, end - begin)));
            }
            if (listening_.size() >= options_.listen.size() &&
                (!options_.wait_for_plugins || text.find(kStartupLoadsDone) != std::string::npos))
                break;
            if (auto status = wait_child(pid_, Clock::now())) {
                status_ = status;
                fail("plugrpcd exited with status " + std::to_string(*status) + " before listening; its log:\n" +
                     text);
            }
            if (Clock::now() >= deadline)
                fail("plugrpcd did not log \"listening on\" for every listener" +
                     std::string(options_.wait_for_plugins ? " and \"" + std::string(kStartupLoadsDone) + "\"" : "") +
                     " within " +
                     std::to_string(options_.start_timeout.count()) + " ms; its log:\n" + text);
            std::this_thread::sleep_for(5ms);
        }
    } catch (...) {
        stop(1s);
        throw;
    }
}

Daemon::~Daemon() {
    try {
        stop();
    } catch (...) {
        // Already reaped or never started: nothing left to stop.
    }
}

std::uint16_t Daemon::port() const {
    for (const auto& l : listening_) {
        if (l.rfind("tcp://", 0) != 0) continue;
        return static_cast<std::uint16_t>(std::stoul(l.substr(l.rfind(':') + 1)));
    }
    fail("plugrpcd has no TCP listener");
}

std::string Daemon::log() const { return read_file(dir() / "plugrpcd.log"); }

bool Daemon::wait_for_log(std::string_view needle, Millis timeout) const {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (log().find(needle) != std::string::npos) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
}

bool Daemon::running() {
    if (status_) return false;
    status_ = wait_child(pid_, Clock::now());
    return !status_;
}

std::optional<int> Daemon::wait_exit(Millis timeout) {
    if (!status_ && pid_ > 0) status_ = wait_child(pid_, Clock::now() + timeout);
    return status_;
}

int Daemon::stop(Millis grace) {
    if (status_ || pid_ <= 0) return status_.value_or(-1);
    ::kill(pid_, SIGTERM);
    status_ = wait_child(pid_, Clock::now() + grace);
    if (!status_) status_ = kill_and_reap(pid_);
    return *status_;
}

// ---------------------------------------------------------------- sockets

namespace {

int connect_socket(int family, const sockaddr* addr, socklen_t len, Millis timeout, const std::string& what,
                   const sockaddr_in* source = nullptr) {
    int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) fail_errno("socket");
    if (source && ::bind(fd, reinterpret_cast<const sockaddr*>(source), sizeof *source) != 0) {
        int e = errno;
        ::close(fd);
        errno = e;
        fail_errno("bind the source address of " + what);
    }
    if (::connect(fd, addr, len) != 0) {
        if (errno != EINPROGRESS && errno != EAGAIN) {
            int e = errno;
            ::close(fd);
            errno = e;
            fail_errno("connect " + what);
        }
        if (!wait_fd(fd, POLLOUT, Clock::now() + timeout)) {
            ::close(fd);
            fail("connect " + what + ": timed out");
        }
        int err = 0;
        socklen_t n = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &n);
        if (err) {
            ::close(fd);
            errno = err;
            fail_errno("connect " + what);
        }
    }
    if (family == AF_INET) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

} // namespace

Connection Connection::tcp(std::uint16_t port, Millis timeout) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return Connection(connect_socket(AF_INET, reinterpret_cast<const sockaddr*>(&a), sizeof a, timeout,
                                     "127.0.0.1:" + std::to_string(port)));
}

Connection Connection::tcp_from(const std::string& source, std::uint16_t port, Millis timeout) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source.c_str(), &from.sin_addr) != 1) fail("not an IPv4 address: " + source);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return Connection(connect_socket(AF_INET, reinterpret_cast<const sockaddr*>(&a), sizeof a, timeout,
                                     "127.0.0.1:" + std::to_string(port) + " from " + source, &from));
}

Connection Connection::unix_socket(const fs::path& path, Millis timeout) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof a.sun_path) fail("unix socket path too long: " + path.string());
    std::memcpy(a.sun_path, path.c_str(), path.string().size());
    return Connection(
        connect_socket(AF_UNIX, reinterpret_cast<const sockaddr*>(&a), sizeof a, timeout, path.string()));
}

Connection::Connection(Connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        buffer_ = std::move(other.buffer_);
    }
    return *this;
}

Connection::~Connection() {
    if (fd_ >= 0) ::close(fd_);
}

void Connection::send(std::string_view bytes, Millis timeout) {
    auto deadline = Clock::now() + timeout;
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_fd(fd_, POLLOUT, deadline)) fail("send: timed out (the peer does not read)");
            continue;
        }
        fail_errno("send");
    }
}

bool Connection::fill(Clock::time_point deadline) {
    char chunk[64 * 1024];
    for (;;) {
        ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(n));
            return true;
        }
        if (n == 0) return false;
        if (errno == EINTR) continue;
        if (errno == ECONNRESET) return false;
        if (errno != EAGAIN && errno != EWOULDBLOCK) fail_errno("recv");
        if (!wait_fd(fd_, POLLIN, deadline)) {
            std::string got = buffer_.size() > 2000 ? buffer_.substr(0, 2000) + "..." : buffer_;
            fail("recv: timed out; received so far: \"" + got + "\"");
        }
    }
}

std::string Connection::recv_until(std::string_view delimiter, Millis timeout) {
    auto deadline = Clock::now() + timeout;
    std::size_t searched = 0;
    for (;;) {
        std::size_t at = buffer_.find(delimiter, searched);
        if (at != std::string::npos) {
            std::string out = buffer_.substr(0, at + delimiter.size());
            buffer_.erase(0, at + delimiter.size());
            return out;
        }
        searched = buffer_.size() >= delimiter.size() ? buffer_.size() - delimiter.size() + 1 : 0;
        if (!fill(deadline)) fail("recv: the connection closed before the delimiter; received: \"" + buffer_ + "\"");
    }
}

std::string Connection::recv_line(Millis timeout) {
    std::string line = recv_until("\n", timeout);
    line.pop_back();
    return line;
}

std::string Connection::recv_exact(std::size_t n, Millis timeout) {
    auto deadline = Clock::now() + timeout;
    while (buffer_.size() < n)
        if (!fill(deadline))
            fail("recv: the connection closed after " + std::to_string(buffer_.size()) + " of " +
                 std::to_string(n) + " bytes");
    std::string out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return out;
}

std::string Connection::recv_all(Millis timeout) {
    auto deadline = Clock::now() + timeout;
    while (fill(deadline)) {
    }
    return std::exchange(buffer_, {});
}

bool Connection::quiet_for(Millis wait) {
    if (!buffer_.empty()) return false;
    return !wait_fd(fd_, POLLIN, Clock::now() + wait);
}

bool Connection::closed_by_peer(Millis timeout) {
    try {
        recv_all(timeout);
        return true;
    } catch (const HarnessError&) {
        return false;
    }
}

void Connection::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

// ---------------------------------------------------------------- HTTP

std::string HttpResponse::header(std::string_view name) const {
    std::string want = lower(std::string(name));
    for (const auto& [k, v] : headers)
        if (k == want) return v;
    return {};
}

HttpClient::HttpClient(std::uint16_t port, Millis timeout) : conn_(Connection::tcp(port, timeout)), timeout_(timeout) {}

HttpClient::HttpClient(Connection connection, Millis timeout) : conn_(std::move(connection)), timeout_(timeout) {}

HttpResponse HttpClient::request(std::string_view method, std::string_view target, std::string_view body,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string req = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT")
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n";
    req += body;
    return raw(req, method == "HEAD");
}

HttpResponse HttpClient::get(std::string_view target, std::string_view accept) {
    return request("GET", target, {}, {{"Accept", std::string(accept)}});
}

HttpResponse HttpClient::post(std::string_view target, std::string_view body, std::string_view content_type) {
    return request("POST", target, body, {{"Content-Type", std::string(content_type)}});
}

HttpResponse HttpClient::raw(std::string_view request_bytes, bool head_request) {
    conn_.send(request_bytes, timeout_);
    return read_response(head_request);
}

HttpResponse HttpClient::read_response(bool head_request) {
    HttpResponse r;
    std::string head = conn_.recv_until("\r\n\r\n", timeout_);
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, line);
    // "HTTP/1.1 200 OK"
    if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) fail("not an HTTP status line: \"" + line + "\"");
    r.status = std::stoi(line.substr(9, 3));
    r.reason = trim(line.size() > 13 ? line.substr(13) : "");
    while (std::getline(lines, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        r.headers.emplace_back(lower(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
    if (head_request || r.status / 100 == 1 || r.status == 204 || r.status == 304) return r;
    if (lower(r.header("transfer-encoding")).find("chunked") != std::string::npos) {
        for (;;) {
            std::size_t size = std::stoul(conn_.recv_until("\r\n", timeout_), nullptr, 16);
            if (size == 0) {
                while (conn_.recv_until("\r\n", timeout_) != "\r\n") { // trailers
                }
                break;
            }
            r.body += conn_.recv_exact(size, timeout_);
            conn_.recv_exact(2, timeout_);
        }
    } else if (std::string len = r.header("content-length"); !len.empty()) {
        r.body = conn_.recv_exact(std::stoul(len), timeout_);
    } else {
        r.body = conn_.recv_all(timeout_);
    }
    return r;
}

std::pair<int, std::string> shell(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) throw HarnessError("popen failed: " + command);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

} // namespace plugrpc::test
