// Operating plugrpcd: systemd notifications and socket activation, drop-in
// plugins, reloads and a graceful stop while clients keep calling.
#include "daemon.hpp"
#include "json_helpers.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <optional>
#include <set>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace plugrpc::test;

namespace {

std::filesystem::path version_plugin(char tag) {
    return tag == 'a' ? PLUGRPC_TEST_VERSION_A_PLUGIN : PLUGRPC_TEST_VERSION_B_PLUGIN;
}

std::string multiply(Connection& c, long a, long b, int id) {
    return call_line(c, R"({"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":)" + std::to_string(a) +
                            R"(,"B":)" + std::to_string(b) + R"(},"id":)" + std::to_string(id) + "}");
}

// Version.Get over a fresh connection: "a", "b", or the error message.
std::string version_of(std::uint16_t port) {
    Connection c = Connection::tcp(port);
    auto reply = parse_json(call_line(c, R"({"jsonrpc":"2.0","method":"Version.Get","params":{},"id":1})"));
    if (has_member(reply, "result")) return std::string(member(reply, "result").as_string());
    return std::string(member(member(reply, "error"), "message").as_string());
}

// Poll until Version.Get answers `want`; the time it took, or nothing.
std::optional<Millis> wait_for_version(std::uint16_t port, const std::string& want, Millis limit = 5s) {
    auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < limit) {
        if (version_of(port) == want)
            return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
        std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
}

// Clients calling Arith.Multiply continuously on their own connections,
// checking every answer, until stopped.
class BackgroundCallers {
public:
    BackgroundCallers(std::uint16_t port, int n) {
        for (int i = 0; i < n; ++i)
            threads_.emplace_back([this, port, i] {
                try {
                    Connection c = Connection::tcp(port);
                    for (long k = 1; !stop_; ++k) {
                        auto r = parse_json(multiply(c, k, i + 2, static_cast<int>(k)));
                        if (!has_member(r, "result") || member(r, "result").as_int64() != k * (i + 2)) ++failures_;
                        else ++calls_;
                    }
                } catch (const std::exception&) {
                    ++failures_;
                }
            });
    }
    ~BackgroundCallers() { stop(); }
    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    long calls() const { return calls_; }
    long failures() const { return failures_; }

private:
    std::atomic<bool> stop_{false};
    std::atomic<long> calls_{0}, failures_{0};
    std::vector<std::thread> threads_;
};

} // namespace

TEST_CASE("a plugin dropped in, replaced and removed is served, swapped and unloaded without one failed call") {
    Daemon d;
    BackgroundCallers callers(d.port(), 3);
    auto target = d.plugin_dir() / "version.so";

    // Dropped in: callable within 2 s, no signal.
    std::filesystem::copy_file(version_plugin('a'), target);
    auto took = wait_for_version(d.port(), "a");
    REQUIRE(took);
    CHECK(*took < 2s);

    // A call that starts on version a and spans the swap finishes on a.
    Connection holder = Connection::tcp(d.port());
    holder.send_line(R"({"jsonrpc":"2.0","method":"Version.Hold","params":{"Millis":1500},"id":7})");
    std::this_thread::sleep_for(200ms);

    // Replaced in place, as `cp` does: new calls reach version b.
    std::filesystem::copy_file(version_plugin('b'), target, std::filesystem::copy_options::overwrite_existing);
    took = wait_for_version(d.port(), "b");
    REQUIRE(took);
    CHECK(*took < 2s);
    CHECK(holder.recv_line(5s) == R"({"jsonrpc":"2.0","result":"a","id":7})");

    // Removed: unloaded, its methods gone.
    std::filesystem::remove(target);
    took = wait_for_version(d.port(), "Method not found: rpc: can't find service Version.Get");
    REQUIRE(took);
    CHECK(*took < 2s);

    // A reload in the middle of it all.
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    REQUIRE(d.wait_for_log("SIGHUP: reloading"));
    std::this_thread::sleep_for(300ms);

    callers.stop();
    CHECK(callers.failures() == 0);
    CHECK(callers.calls() > 100);
    CHECK(d.wait_for_log("unloading plugin version a"));
}

TEST_CASE("a plugin moved into the folder is served, and a half-copied one is not loaded") {
    Daemon d;
    // A truncated copy: an ELF head without its tail.
    std::string whole = read_file(version_plugin('a'));
    {
        std::FILE* f = std::fopen((d.dir() / "partial.tmp").c_str(), "wb");
        std::fwrite(whole.data(), 1, whole.size() / 2, f);
        std::fclose(f);
    }
    std::filesystem::rename(d.dir() / "partial.tmp", d.plugin_dir() / "partial.so");
    REQUIRE(d.wait_for_log("partial.so skipped"));
    CHECK(d.log().find("incomplete") != std::string::npos);

    std::filesystem::copy_file(version_plugin('a'), d.dir() / "staged.so");
    std::filesystem::rename(d.dir() / "staged.so", d.plugin_dir() / "version.so");
    auto took = wait_for_version(d.port(), "a");
    REQUIRE(took);
    CHECK(*took < 2s);
    CHECK(d.running());
}

TEST_CASE("SIGHUP with a config that does not parse keeps the running one") {
    Daemon d;
    std::filesystem::copy_file(version_plugin('a'), d.plugin_dir() / "version.so");
    REQUIRE(wait_for_version(d.port(), "a"));
    std::string good = read_file(d.config_file());
    {
        std::FILE* f = std::fopen(d.config_file().c_str(), "wb");
        std::fputs("[server\nlisten = 5\n", f);
        std::fclose(f);
    }
    REQUIRE(::kill(d.pid(), SIGHUP) == 0);
    REQUIRE(d.wait_for_log("the running one stays"));
    Connection c = Connection::tcp(d.port());
    CHECK(multiply(c, 6, 7, 1) == R"({"jsonrpc":"2.0","result":42,"id":1})");
    CHECK(version_of(d.port()) == "a");
}

TEST_CASE("plugrpcd reload exits 0 when the new config took effect and 1 naming why when it was rejected") {
    DaemonOptions o;
    o.extra_args = {"--runtime-dir", "{dir}"};
    Daemon d(o);
    std::string pid = std::to_string(d.pid()), dir = d.dir().string();
    RunResult r = run_plugrpcd({"reload", "--pid", pid, "--runtime-dir", dir});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("plugrpcd reload: ok: "));

    std::string good = read_file(d.config_file());
    {
        std::FILE* f = std::fopen(d.config_file().c_str(), "wb");
        std::fputs("[server\nlisten = 5\n", f);
        std::fclose(f);
    }
    r = run_plugrpcd({"reload", "--pid", pid, "--runtime-dir", dir});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::StartsWith("plugrpcd reload: rejected: ") && Catch::Contains("plugrpcd.toml:1:") &&
                          Catch::Contains("the running configuration stays"));
    Connection c = Connection::tcp(d.port());
    CHECK(multiply(c, 6, 7, 1) == R"({"jsonrpc":"2.0","result":42,"id":1})");

    // TLS material that does not load is rejected too, and nothing of that
    // config applies.
    {
        std::FILE* f = std::fopen(d.config_file().c_str(), "wb");
        std::fputs((good + "\n[tls]\ncert_file = \"missing.pem\"\nkey_file = \"missing.pem\"\n").c_str(), f);
        std::fclose(f);
    }
    r = run_plugrpcd({"reload", "--pid", pid, "--runtime-dir", dir});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("missing.pem"));
}

TEST_CASE("plugrpcd reload that cannot ask exits 2, and a config that cannot be served exits 78") {
    TempDir empty;
    RunResult r = run_plugrpcd({"reload", "--pid", std::to_string(::getpid()), "--runtime-dir", empty.path().string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("no reload status"));
    r = run_plugrpcd({"reload", "--runtime-dir", empty.path().string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("needs --pid"));

    auto bad = empty.write("bad.toml", "[server\n");
    r = run_plugrpcd({"-c", bad.string()});
    CHECK(r.exit_code == 78);
    r = run_plugrpcd({"-t", "-c", bad.string()});
    CHECK(r.exit_code == 1);
}

TEST_CASE("SIGTERM during a burst of slow calls answers every call already received, then exits 0") {
    DaemonOptions o;
    o.plugins.push_back(slow_plugin());
    Daemon d(o);
    constexpr int kConnections = 3, kCalls = 8;
    std::vector<Connection> conns;
    for (int i = 0; i < kConnections; ++i) {
        conns.push_back(Connection::tcp(d.port()));
        std::string burst;
        for (int k = 0; k < kCalls; ++k)
            burst += R"({"jsonrpc":"2.0","method":"Slow.Sleep","params":{"Millis":200},"id":)" +
                     std::to_string(i * 100 + k) + "}\n";
        conns.back().send(burst);
    }
    std::this_thread::sleep_for(100ms); // the bytes are at the daemon
    REQUIRE(::kill(d.pid(), SIGTERM) == 0);
    std::set<int> answered;
    for (int i = 0; i < kConnections; ++i)
        for (int k = 0; k < kCalls; ++k) {
            auto r = parse_json(conns[i].recv_line(15s));
            REQUIRE(member(r, "result").as_int64() == 200);
            answered.insert(static_cast<int>(member(r, "id").as_int64()));
        }
    CHECK(answered.size() == kConnections * kCalls);
    for (auto& c : conns) CHECK(c.closed_by_peer(10s));
    auto status = d.wait_exit(15s);
    REQUIRE(status);
    CHECK(*status == 0);
}

// ---- systemd ---------------------------------------------------------------

namespace {

// Plays systemd: a NOTIFY_SOCKET to read, a listening socket to pass as
// fd 3 with LISTEN_FDS, and the daemon as a child process.
class FakeSystemd {
public:
    FakeSystemd() {
        notify_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un un{};
        un.sun_family = AF_UNIX;
        std::string path = (dir_.path() / "notify").string();
        std::strncpy(un.sun_path, path.c_str(), sizeof un.sun_path - 1);
        REQUIRE(::bind(notify_, reinterpret_cast<sockaddr*>(&un), sizeof un) == 0);
        notify_path_ = path;

        listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listen_, reinterpret_cast<sockaddr*>(&in), sizeof in) == 0);
        REQUIRE(::listen(listen_, 64) == 0);
        socklen_t len = sizeof in;
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&in), &len);
        port_ = ntohs(in.sin_port);

        std::filesystem::create_directory(dir_.path() / "plugins");
        std::filesystem::copy_file(arith_plugin(), dir_.path() / "plugins" / "arith.so");
        // The config's own listener must be ignored in favour of fd 3.
        config_ = dir_.write("plugrpcd.toml", "[server]\nlisten = [\"tcp://127.0.0.1:1\"]\nthreads = 2\n"
                                              "[plugins]\ndirs = [\"" +
                                                  (dir_.path() / "plugins").string() + "\"]\n");
    }

    ~FakeSystemd() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(notify_);
        ::close(listen_);
    }

    void start() {
        std::string log = (dir_.path() / "log").string();
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(listen_, 3); // dup2 clears FD_CLOEXEC on the copy
            int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(err, 2);
            std::string pid = std::to_string(::getpid());
            ::setenv("LISTEN_FDS", "1", 1);
            ::setenv("LISTEN_PID", pid.c_str(), 1);
            ::setenv("NOTIFY_SOCKET", notify_path_.c_str(), 1);
            ::setenv("WATCHDOG_USEC", "400000", 1);
            ::setenv("WATCHDOG_PID", pid.c_str(), 1);
            std::string bin = plugrpcd_binary().string(), cfg = config_.string();
            ::execl(bin.c_str(), bin.c_str(), "--config", cfg.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
    }

    // The next notification, or "" after `timeout`.
    std::string next(Millis timeout = 5s) {
        timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
        ::setsockopt(notify_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[4096];
        ssize_t n = ::recv(notify_, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }

    // Skip STATUS-only and WATCHDOG messages; the next other one.
    std::string next_state(Millis timeout = 5s) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            std::string m = next(timeout);
            if (m.empty()) return m;
            if (m.rfind("STATUS=", 0) == 0 || m == "WATCHDOG=1") continue;
            return m;
        }
        return {};
    }

    int wait_exit() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    pid_t pid() const { return pid_; }
    std::uint16_t port() const { return port_; }
    std::string log() const { return read_file(dir_.path() / "log"); }

private:
    TempDir dir_;
    int notify_ = -1, listen_ = -1;
    std::string notify_path_;
    std::uint16_t port_ = 0;
    std::filesystem::path config_;
    pid_t pid_ = -1;
};

} // namespace

TEST_CASE("under systemd: READY, watchdog, RELOADING with MONOTONIC_USEC, READY, STOPPING, and calls on the passed socket") {
    FakeSystemd sd;
    sd.start();
    std::string ready = sd.next_state(10s);
    INFO(sd.log());
    REQUIRE(ready.rfind("READY=1", 0) == 0);
    CHECK(ready.find("STATUS=2 methods in 1 services") != std::string::npos);

    Connection c = Connection::tcp(sd.port());
    CHECK(multiply(c, 7, 8, 1) == R"({"jsonrpc":"2.0","result":56,"id":1})");

    bool watchdog = false;
    for (int i = 0; i < 20 && !watchdog; ++i) watchdog = sd.next(1s) == "WATCHDOG=1";
    CHECK(watchdog);

    REQUIRE(::kill(sd.pid(), SIGHUP) == 0);
    std::string reloading = sd.next_state();
    CHECK(reloading.rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0);
    std::string ready_again = sd.next_state();
    CHECK(ready_again.rfind("READY=1", 0) == 0);
    CHECK(ready_again.find("; 1 connections") != std::string::npos); // c, counted once
    CHECK(multiply(c, 6, 7, 2) == R"({"jsonrpc":"2.0","result":42,"id":2})");

    REQUIRE(::kill(sd.pid(), SIGTERM) == 0);
    CHECK(sd.next_state() == "STOPPING=1");
    CHECK(sd.wait_exit() == 0);
    CHECK(sd.log().find("from systemd") != std::string::npos);
}

TEST_CASE("under journald, log lines carry syslog priority prefixes") {
    TempDir dir;
    std::filesystem::create_directory(dir.path() / "plugins");
    auto config = dir.write("c.toml", "[plugins]\ndirs = [\"" + (dir.path() / "plugins").string() + "\"]\n");
    // JOURNAL_STREAM must name the stderr the daemon really has: run it
    // through a shell that points it at its own stderr file.
    // A plugin folder that does not exist is logged at error level: <3>.
    std::string script2 = "exec 2>" + (dir.path() / "err2").string() +
                          "; JOURNAL_STREAM=$(stat -L -c '%d:%i' /proc/self/fd/2) exec " +
                          plugrpcd_binary().string() + " --config " + config.string() +
                          " --plugin-dir /nonexistent-plugrpc-dir --check-config";
    int rc = std::system(script2.c_str());
    CHECK(WEXITSTATUS(rc) == 1);
    std::string err2 = read_file(dir.path() / "err2");
    INFO(err2);
    CHECK(err2.rfind("<3>plugin /nonexistent-plugrpc-dir skipped", 0) == 0);
}

TEST_CASE("a world-writable plugin is refused with a message naming the file and the reason") {
    Daemon d;
    auto target = d.plugin_dir() / "version.so";
    std::filesystem::copy_file(version_plugin('a'), d.dir() / "staged.so");
    std::filesystem::permissions(d.dir() / "staged.so", std::filesystem::perms::others_write,
                                 std::filesystem::perm_options::add);
    std::filesystem::rename(d.dir() / "staged.so", target);
    REQUIRE(d.wait_for_log("version.so skipped: it is writable by others"));
    CHECK(version_of(d.port()) == "Method not found: rpc: can't find service Version.Get");
}
