// Registration in etcd: every service plugrpcd serves is a key
// <prefix>/<Service>/<HOST:PORT> on one lease of [registry] ttl, refreshed
// every ttl/3, with a small JSON value clients read:
//
//     {"address":"tcp://10.0.0.5:1234","protocols":["gob","gob-http","json","http"],
//      "rpc_path":"/_goRPC_","pid":4242,"version":"0.1.0"}
//
// All etcd traffic runs on a thread of its own, so a slow or dead etcd
// never holds up the control thread or the event loops: failures are
// logged (once per change of error) and retried with backoff; a lease
// etcd has lost is granted anew and the keys put again. set_services()
// (start, reload, plugin drop-in) puts new services and deletes removed
// ones. withdraw() (the first step of a graceful stop) revokes the lease,
// which deletes every key at once, waiting at most its bound.
#pragma once

#include "daemon/registry/settings.hpp"
#include "wire/etcd/gateway.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace plugrpc {

class Registration {
public:
    // `advertise` is "HOST:PORT"; `value` the JSON text each key holds.
    // `on_change` is called (on the registration's thread) when status() changes.
    Registration(const RegistrySettings& settings, std::string advertise, std::string value,
                 std::function<void()> on_change = nullptr);
    ~Registration(); // withdraws (bounded) and joins its thread

    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

    // The services to be registered from now on.
    void set_services(std::set<std::string> services);
    // Revokes the lease (every key goes at once) and stops registering.
    // Returns once etcd confirmed or `bound` passed; true when confirmed.
    bool withdraw(std::chrono::milliseconds bound);

    struct Status {
        bool registered = false;      // every wanted key is in etcd under a live lease
        std::size_t keys = 0;         // keys put under the current lease
        std::int64_t lease = 0;
        std::string last_error;       // empty while all is well
        std::uint64_t failures = 0;   // etcd calls that failed
        std::uint64_t leases = 0;     // leases granted
        bool withdrawn = false;
    };
    Status status() const;
    // "registered 2 services as 10.0.0.5:1234 under /plugrpc/services (lease 7587...)" or the last error.
    std::string describe() const;

    std::string key_of(const std::string& service) const;

    // plugrpc_registry_* for /metrics, readable from any thread for as long
    // as the returned function lives (it does not hold the Registration).
    std::function<std::string()> metrics() const;

private:
    enum class Step { Done, Retry, Again };
    void run();
    // One round of work: Done when everything is as wanted, Retry after a
    // failure (with backoff), Again when there is more to do at once.
    Step step(std::unique_lock<std::mutex>& lock);
    void note_error(std::unique_lock<std::mutex>& lock, const std::string& what);
    void changed(std::unique_lock<std::mutex>& lock);

    RegistrySettings settings_;
    std::string advertise_;
    std::string value_;
    std::function<void()> on_change_;
    etcd::Gateway gateway_;

    mutable std::mutex mu_;
    std::condition_variable wake_;
    std::set<std::string> wanted_;
    std::set<std::string> registered_; // under lease_
    std::int64_t lease_ = 0;
    std::chrono::steady_clock::time_point refresh_due_{};
    bool dirty_ = false; // wanted_ changed
    bool stop_ = false;
    Status status_;
    struct Counters {
        std::atomic<bool> registered{false};
        std::atomic<std::size_t> keys{0};
        std::atomic<std::uint64_t> failures{0}, leases{0};
    };
    std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();
    void publish_counters(); // status_ -> counters_, under mu_
    std::thread thread_;
};

} // namespace plugrpc
