#include "etcd_server.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>

namespace plugrpc::test {

namespace {

// A loopback port nobody listens on now, below the kernel's range of
// ephemeral ports: etcd restarted on it finds it free again, as no
// connection made meanwhile can be given it as its own port (port 0's pick
// could). Random, and never the same twice in this process.
std::uint16_t free_port() {
    static std::mutex mu;
    static std::set<int> given;
    static std::mt19937 pick(std::random_device{}());
    std::lock_guard lock(mu);
    int low = 32768;
    if (std::FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
        if (std::fscanf(f, "%d", &low) != 1) low = 32768;
        std::fclose(f);
    }
    if (low <= 12000) throw HarnessError("the ephemeral port range starts at " + std::to_string(low) +
                                         ": no room below it for fixed ports");
    for (int tries = 0; tries < 1000; ++tries) {
        int port = std::uniform_int_distribution<int>(10000, low - 1)(pick);
        if (given.count(port)) continue;
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw HarnessError(std::string("socket: ") + std::strerror(errno));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        bool open_now = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd, 1) == 0;
        ::close(fd);
        if (!open_now) continue;
        given.insert(port);
        return static_cast<std::uint16_t>(port);
    }
    throw HarnessError("no free loopback port below " + std::to_string(low));
}

etcd::Gateway gateway_of(std::uint16_t port) {
    etcd::Endpoint e{"127.0.0.1", std::to_string(port), "http://127.0.0.1:" + std::to_string(port)};
    return etcd::Gateway({e}, std::chrono::milliseconds(2000));
}

} // namespace

EtcdServer::EtcdServer(bool start_now) {
    client_port_ = free_port();
    do peer_port_ = free_port();
    while (peer_port_ == client_port_);
    if (start_now) start();
}

EtcdServer::~EtcdServer() { kill(); }

void EtcdServer::start() {
    std::string client = "http://127.0.0.1:" + std::to_string(client_port_);
    std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
    // Every URL on loopback: nothing of a test listens beyond this machine.
    std::vector<std::string> args{PLUGRPC_TEST_ETCD, "--name", "t", "--data-dir", (dir_.path() / "data").string(),
                                  "--listen-client-urls", client, "--advertise-client-urls", client,
                                  "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                  "--initial-cluster", "t=" + peer, "--log-level", "warn"};
    std::string log = (dir_.path() / "etcd.log").string();
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw HarnessError(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) ::dup2(fd, 1), ::dup2(fd, 2);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    bool up = eventually([&] { return static_cast<bool>(gateway_of(client_port_).range_prefix("/")); }, 30s);
    if (!up) {
        std::string text = read_file(log);
        kill();
        throw HarnessError("etcd did not answer on " + client + " within 30 s; its log:\n" + text);
    }
}

void EtcdServer::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::string EtcdServer::registry_config(const std::string& prefix, const std::string& ttl) const {
    return "[registry]\netcd = [\"" + endpoint() + "\"]\nprefix = \"" + prefix + "\"\nttl = \"" + ttl + "\"\n";
}

std::optional<std::string> EtcdServer::get(const std::string& key) const {
    for (auto& kv : list(key))
        if (kv.key == key) return kv.value;
    return std::nullopt;
}

std::vector<etcd::KeyValue> EtcdServer::list(const std::string& prefix) const {
    auto r = gateway_of(client_port_).range_prefix(prefix);
    if (!r) throw HarnessError("etcd: " + r.error);
    return *r.value;
}

} // namespace plugrpc::test
