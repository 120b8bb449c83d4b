#include "daemon/registry/registration.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace plugrpc {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Each etcd call waits at most this for one endpoint.
constexpr milliseconds kCallTimeout{1000};
constexpr milliseconds kFirstBackoff{200};

std::vector<etcd::Endpoint> endpoints_of(const RegistrySettings& s) {
    std::vector<etcd::Endpoint> out;
    for (const auto& text : s.etcd) {
        etcd::Endpoint e;
        std::string why;
        if (etcd::parse_endpoint(text, e, why)) out.push_back(std::move(e)); // checked by the config already
    }
    return out;
}

} // namespace

Registration::Registration(const RegistrySettings& settings, std::string advertise, std::string value,
                           std::function<void()> on_change)
    : settings_(settings),
      advertise_(std::move(advertise)),
      value_(std::move(value)),
      on_change_(std::move(on_change)),
      gateway_(endpoints_of(settings), kCallTimeout) {
    thread_ = std::thread([this] { run(); });
}

Registration::~Registration() {
    withdraw(kCallTimeout);
    if (thread_.joinable()) thread_.join();
}

std::string Registration::key_of(const std::string& service) const {
    std::string prefix = settings_.prefix;
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    return prefix + "/" + service + "/" + advertise_;
}

void Registration::set_services(std::set<std::string> services) {
    std::lock_guard lock(mu_);
    if (services == wanted_) return;
    wanted_ = std::move(services);
    dirty_ = true;
    wake_.notify_all();
}

bool Registration::withdraw(milliseconds bound) {
    std::int64_t lease = 0;
    std::size_t keys = 0;
    {
        std::lock_guard lock(mu_);
        if (status_.withdrawn) return true;
        stop_ = true;
        status_.withdrawn = true;
        publish_counters();
        lease = lease_;
        keys = registered_.size();
        wake_.notify_all();
    }
    if (lease == 0) return true; // nothing registered, or the worker revokes what it is granting
    auto started = Clock::now();
    std::size_t n = std::max<std::size_t>(1, gateway_.endpoints().size());
    etcd::Gateway bounded(gateway_.endpoints(), std::max(milliseconds(100), bound / static_cast<long>(n)));
    auto r = bounded.revoke(lease);
    auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
    if (!r) {
        spdlog::warn("registry: could not withdraw from etcd ({}); its keys expire within {}s: {}", lease,
                     settings_.ttl.count(), r.error);
        return false;
    }
    spdlog::info("registry: withdrawn from etcd: {} keys of {} deleted (lease {} revoked in {} ms)", keys, advertise_,
                 lease, took);
    return true;
}

Registration::Status Registration::status() const {
    std::lock_guard lock(mu_);
    return status_;
}

std::string Registration::describe() const {
    Status s = status();
    std::string where = "as " + advertise_ + " under " + settings_.prefix;
    if (s.withdrawn) return "withdrawn (" + where + ")";
    std::string text = s.registered ? "registered " + std::to_string(s.keys) + " services " + where + ", lease " +
                                          std::to_string(s.lease)
                                    : "not registered yet " + where;
    if (!s.last_error.empty()) text += "; last error: " + s.last_error;
    return text;
}

void Registration::publish_counters() {
    counters_->registered.store(status_.registered && !status_.withdrawn);
    counters_->keys.store(status_.withdrawn ? 0 : status_.keys);
    counters_->failures.store(status_.failures);
    counters_->leases.store(status_.leases);
}

std::function<std::string()> Registration::metrics() const {
    return [c = counters_] {
        std::string out;
        auto metric = [&](const char* name, const char* type, const char* help, std::uint64_t v) {
            out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
                   std::to_string(v) + "\n";
        };
        metric("plugrpc_registry_registered", "gauge",
               "1 while every served service is registered in etcd under a live lease.", c->registered.load());
        metric("plugrpc_registry_keys", "gauge", "Keys this daemon holds in etcd.", c->keys.load());
        metric("plugrpc_registry_failures_total", "counter", "etcd calls of the registration that failed.",
               c->failures.load());
        metric("plugrpc_registry_leases_total", "counter", "etcd leases granted to this daemon.", c->leases.load());
        return out;
    };
}

void Registration::run() {
    std::unique_lock lock(mu_);
    milliseconds backoff = kFirstBackoff;
    milliseconds refresh_every = std::max<milliseconds>(milliseconds(500), settings_.ttl / 3);
    while (!stop_) {
        Step outcome = step(lock);
        if (stop_) break;
        if (outcome == Step::Again) continue;
        Clock::time_point next = refresh_due_;
        if (outcome == Step::Done) {
            backoff = kFirstBackoff;
        } else {
            next = Clock::now() + backoff;
            backoff = std::min(backoff * 2, refresh_every);
        }
        wake_.wait_until(lock, next, [&] { return stop_ || dirty_; });
    }
}

// Called with the lock held; lets it go around each etcd call.
Registration::Step Registration::step(std::unique_lock<std::mutex>& lock) {
    dirty_ = false;
    milliseconds refresh_every = std::max<milliseconds>(milliseconds(500), settings_.ttl / 3);
    if (lease_ == 0) {
        lock.unlock();
        auto granted = gateway_.grant(settings_.ttl);
        lock.lock();
        if (!granted) return note_error(lock, "lease grant: " + granted.error), Step::Retry;
        if (stop_) { // withdraw() ran meanwhile and did not see this lease
            lock.unlock();
            gateway_.revoke(*granted.value);
            lock.lock();
            return Step::Retry;
        }
        lease_ = *granted.value;
        registered_.clear();
        refresh_due_ = Clock::now() + refresh_every;
        ++status_.leases;
        publish_counters();
    } else if (Clock::now() >= refresh_due_) {
        std::int64_t lease = lease_;
        lock.unlock();
        auto left = gateway_.keepalive(lease);
        lock.lock();
        if (stop_) return Step::Retry;
        if (!left) return note_error(lock, "lease keepalive: " + left.error), Step::Retry;
        if (*left.value <= 0) {
            spdlog::warn("registry: etcd lost lease {} (expired or revoked); registering {} anew", lease, advertise_);
            lease_ = 0;
            registered_.clear();
            status_.registered = false;
            publish_counters();
            return Step::Again;
        }
        refresh_due_ = Clock::now() + refresh_every;
    }
    for (;;) {
        auto missing = std::find_if(wanted_.begin(), wanted_.end(), [&](const auto& s) { return !registered_.count(s); });
        if (missing == wanted_.end()) break;
        std::string service = *missing;
        std::int64_t lease = lease_;
        lock.unlock();
        auto put = gateway_.put(key_of(service), value_, lease);
        lock.lock();
        if (stop_) return Step::Retry;
        if (!put) return note_error(lock, "put " + key_of(service) + ": " + put.error), Step::Retry;
        if (lease == lease_) registered_.insert(service);
    }
    for (;;) {
        auto gone = std::find_if(registered_.begin(), registered_.end(), [&](const auto& s) { return !wanted_.count(s); });
        if (gone == registered_.end()) break;
        std::string service = *gone;
        lock.unlock();
        auto removed = gateway_.remove(key_of(service));
        lock.lock();
        if (stop_) return Step::Retry;
        if (!removed) return note_error(lock, "delete " + key_of(service) + ": " + removed.error), Step::Retry;
        registered_.erase(service);
    }
    if (dirty_) return Step::Again;
    bool was = status_.registered;
    std::size_t keys_before = status_.keys;
    bool had_error = !status_.last_error.empty();
    status_.registered = true;
    status_.keys = registered_.size();
    status_.lease = lease_;
    status_.last_error.clear();
    publish_counters();
    if (!was || had_error || keys_before != status_.keys) {
        spdlog::info("registry: registered {} services as {} under {} in etcd (lease {}, ttl {}s)", registered_.size(),
                     advertise_, settings_.prefix, lease_, settings_.ttl.count());
        changed(lock);
    }
    return Step::Done;
}

void Registration::note_error(std::unique_lock<std::mutex>& lock, const std::string& what) {
    ++status_.failures;
    status_.registered = false;
    publish_counters();
    if (status_.last_error == what) return;
    status_.last_error = what;
    spdlog::warn("registry: {}; retrying", what);
    changed(lock);
}

void Registration::changed(std::unique_lock<std::mutex>& lock) {
    if (!on_change_) return;
    lock.unlock();
    on_change_();
    lock.lock();
}

} // namespace plugrpc
