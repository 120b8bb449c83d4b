#include "balancer.hpp"

#include <algorithm>

namespace plugrpc::client {

namespace {

// An etcd read waits at most Options::connect_timeout for each endpoint, and at least this.
constexpr std::chrono::milliseconds kMinEtcdTimeout{100};
// A call is offered to at most this many daemons before it fails.
constexpr std::size_t kMaxTries = 8;

} // namespace

struct Balancer::PendingCall {
    std::string method;
    boost::json::value params;
    CallTypes types;
    JsonCallback done;
    std::chrono::milliseconds timeout;
    std::size_t tries = 0;
};

Result<std::shared_ptr<Balancer>> Balancer::open(EtcdTarget target, Options options) {
    auto b = std::make_shared<Balancer>(std::move(target), std::move(options));
    if (auto failed = b->resolve()) return *failed;
    {
        std::lock_guard lock(b->mu_);
        if (b->members_.empty())
            return Error{ErrorKind::Transport, "no daemon registered in etcd under " + b->target_.prefix, 0};
    }
    b->resolver_ = std::thread([raw = b.get()] { raw->resolve_loop(); });
    return b;
}

Balancer::Balancer(EtcdTarget target, Options options)
    : target_(std::move(target)),
      options_(std::move(options)),
      gateway_(target_.endpoints, std::max(options_.connect_timeout, kMinEtcdTimeout)) {}

Balancer::~Balancer() { close(); }

std::optional<Error> Balancer::resolve() {
    auto kvs = gateway_.range_prefix(target_.prefix);
    if (!kvs) return Error{ErrorKind::Transport, "etcd: " + kvs.error, 0};
    std::set<std::string> listed;
    for (const auto& kv : *kvs.value) {
        std::string address = registered_address(kv.key, kv.value);
        if (!address.empty() && !is_etcd_target(address)) listed.insert(address);
    }
    std::vector<std::string> to_connect;
    std::vector<std::shared_ptr<Client>> retired;
    {
        std::lock_guard lock(mu_);
        if (closed_) return std::nullopt;
        for (auto& m : members_) m.listed = listed.count(m.address) > 0;
        // Withdrawn and idle, or dropped: closed (outside the lock).
        auto gone = std::partition(members_.begin(), members_.end(), [](const Member& m) {
            return !m.client->is_shut_down() && (m.listed || m.client->in_flight() > 0);
        });
        for (auto it = gone; it != members_.end(); ++it) retired.push_back(std::move(it->client));
        members_.erase(gone, members_.end());
        for (const auto& a : listed)
            if (std::none_of(members_.begin(), members_.end(), [&](const Member& m) { return m.address == a; }))
                to_connect.push_back(a);
    }
    for (auto& c : retired) c->close();
    std::optional<Error> last_failure;
    for (const auto& address : to_connect) {
        auto c = Client::connect(address, options_);
        if (!c) {
            last_failure = c.error();
            continue;
        }
        std::lock_guard lock(mu_);
        if (closed_) break;
        members_.push_back(Member{address, std::make_shared<Client>(std::move(*c)), true});
    }
    std::lock_guard lock(mu_);
    if (members_.empty() && last_failure) return last_failure;
    return std::nullopt;
}

void Balancer::resolve_loop() {
    std::chrono::milliseconds every = std::max(options_.resolve_interval, std::chrono::milliseconds(50));
    std::unique_lock lock(mu_);
    while (!closed_) {
        if (wake_.wait_for(lock, every, [&] { return closed_; })) break;
        lock.unlock();
        resolve(); // a failure keeps the daemons known so far; the next round tries again
        lock.lock();
    }
}

std::shared_ptr<Client> Balancer::pick() {
    std::lock_guard lock(mu_);
    if (closed_ || members_.empty()) return nullptr;
    std::size_t n = members_.size();
    std::size_t start = turn_++ % n;
    Member* best = nullptr;
    std::size_t best_load = 0;
    for (std::size_t i = 0; i < n; ++i) {
        Member& m = members_[(start + i) % n];
        if (!m.listed || m.client->is_shut_down()) continue;
        std::size_t load = m.client->in_flight();
        if (!best || load < best_load) best = &m, best_load = load;
    }
    return best ? best->client : nullptr;
}

void Balancer::call(std::string_view method, boost::json::value params, CallTypes types, JsonCallback done,
                    std::chrono::milliseconds timeout) {
    in_flight_.fetch_add(1);
    dispatch(std::make_shared<PendingCall>(
        PendingCall{std::string(method), std::move(params), std::move(types), std::move(done), timeout, 0}));
}

void Balancer::dispatch(std::shared_ptr<PendingCall> call) {
    std::shared_ptr<Client> client = pick();
    if (!client) {
        bool closed = is_shut_down();
        return finish(*call, closed ? Error{ErrorKind::Shutdown, kShutdownText, 0}
                                    : Error{ErrorKind::Transport,
                                            "no daemon to call: none registered in etcd under " + target_.prefix +
                                                " is connected",
                                            0});
    }
    ++call->tries;
    // The params are kept for a call that must go elsewhere.
    client->call_json_async(
        call->method, call->params, &call->types,
        [weak = weak_from_this(), call](Result<boost::json::value> r) {
            auto self = weak.lock();
            if (!self) {
                try {
                    call->done(std::move(r));
                } catch (...) {
                }
                return;
            }
            {
                std::lock_guard lock(self->mu_);
                self->callback_threads_.insert(std::this_thread::get_id());
            }
            // Shutdown: the daemon's connection was closed before this call
            // was written (Session::send); nothing of it reached the daemon.
            if (!r && r.error().kind == ErrorKind::Shutdown && !self->is_shut_down() && call->tries < kMaxTries)
                return self->dispatch(call);
            self->finish(*call, std::move(r));
        },
        call->timeout);
}

void Balancer::finish(PendingCall& call, Result<boost::json::value> result) {
    in_flight_.fetch_sub(1);
    try {
        call.done(std::move(result));
    } catch (...) {
        // A callback's exception must not unwind an I/O thread.
    }
}

void Balancer::close() {
    std::vector<Member> members;
    {
        std::lock_guard lock(mu_);
        if (closed_) return;
        closed_ = true;
        members = std::move(members_);
        members_.clear();
    }
    wake_.notify_all();
    if (resolver_.joinable()) {
        if (resolver_.get_id() == std::this_thread::get_id()) resolver_.detach();
        else resolver_.join();
    }
    for (auto& m : members) m.client->close();
}

bool Balancer::is_shut_down() const {
    std::lock_guard lock(mu_);
    return closed_;
}

std::size_t Balancer::in_flight() const { return in_flight_.load(); }

bool Balancer::on_callback_thread() const {
    std::lock_guard lock(mu_);
    return callback_threads_.count(std::this_thread::get_id()) > 0;
}

} // namespace plugrpc::client
