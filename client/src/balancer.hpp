// The client of an etcd:// target: the daemons registered under the
// target's prefix, one connection to each, calls spread over them.
//
// Spreading: each call goes to the daemon with the fewest calls in flight
// on this client, ties taken in turn (round robin), so a synchronous
// caller sees plain round robin and a slow daemon gets fewer calls.
// Re-resolving: the registered daemons are read again every
// Options::resolve_interval on a thread of its own; new ones are
// connected, withdrawn ones get no new calls and are closed once their
// calls are answered, and a daemon whose connection dropped while still
// registered is connected again.
// Failing over: a call that could not be sent because its daemon's
// connection was already shut down (a drain closes connections between
// calls) is sent to another daemon. A call once sent is never sent again:
// if the connection drops before its reply, it fails with a Transport
// error, since the method may have run.
#pragma once

#include "etcd_target.hpp"

#include <plugrpc/client/client.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace plugrpc::client {

class Balancer : public std::enable_shared_from_this<Balancer> {
public:
    // Reads the registered daemons and connects to them; an error when etcd
    // cannot be read or no registered daemon could be connected to.
    static Result<std::shared_ptr<Balancer>> open(EtcdTarget target, Options options);
    Balancer(EtcdTarget target, Options options);
    ~Balancer();

    void call(std::string_view method, boost::json::value params, CallTypes types, JsonCallback done,
              std::chrono::milliseconds timeout);
    void close();
    bool is_shut_down() const;
    std::size_t in_flight() const;
    // True on a thread that runs this client's callbacks.
    bool on_callback_thread() const;

private:
    struct Member {
        std::string address;
        std::shared_ptr<Client> client;
        bool listed = true;
    };
    struct PendingCall;

    // Reads etcd, connects new daemons, retires withdrawn ones.
    std::optional<Error> resolve();
    void resolve_loop();
    std::shared_ptr<Client> pick();
    void dispatch(std::shared_ptr<PendingCall> call);
    void finish(PendingCall& call, Result<boost::json::value> result);

    EtcdTarget target_;
    Options options_;
    etcd::Gateway gateway_;
    mutable std::mutex mu_;
    std::condition_variable wake_;
    std::vector<Member> members_;
    std::size_t turn_ = 0;
    bool closed_ = false;
    std::atomic<std::size_t> in_flight_{0};
    std::set<std::thread::id> callback_threads_;
    std::thread resolver_;
};

} // namespace plugrpc::client
