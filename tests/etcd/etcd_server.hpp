// A real etcd (Debian's etcd-server) for the tests of label `etcd`: one
// member on two free loopback ports (client and peer), its data in a
// temporary folder, killed (SIGKILL, and by the kernel should the test
// die) when this goes out of scope.
//
//     EtcdServer etcd;                          // started, answering
//     DaemonOptions o; o.extra_config = etcd.registry_config("/t", "3s");
//     auto v = etcd.get("/t/Arith/127.0.0.1:40123");
#pragma once

#include "daemon.hpp"
#include "wire/etcd/gateway.hpp"

#include <cstdint>
#include <optional>
#include <thread>
#include <string>
#include <vector>

namespace plugrpc::test {

class EtcdServer {
public:
    // `start`: false picks the ports but leaves etcd down until start().
    explicit EtcdServer(bool start = true);
    ~EtcdServer();
    EtcdServer(const EtcdServer&) = delete;
    EtcdServer& operator=(const EtcdServer&) = delete;

    // Starts etcd and waits until it answers (throws HarnessError with its log otherwise).
    void start();
    void kill();

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(client_port_); }
    std::uint16_t client_port() const { return client_port_; }
    // "[registry]" for plugrpcd.toml: this etcd, `prefix`, `ttl`.
    std::string registry_config(const std::string& prefix, const std::string& ttl = "10s") const;

    // A key's value, or nothing when etcd does not have it (throws when etcd cannot be read).
    std::optional<std::string> get(const std::string& key) const;
    // The keys under `prefix`.
    std::vector<etcd::KeyValue> list(const std::string& prefix) const;

private:
    TempDir dir_;
    std::uint16_t client_port_ = 0, peer_port_ = 0;
    pid_t pid_ = -1;
};

// Polls `done` every 20 ms until it is true or `timeout` passes; its last answer.
template <class Pred>
bool eventually(Pred done, Millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace plugrpc::test
