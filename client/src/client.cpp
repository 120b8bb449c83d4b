// Client: the caller's side. Calls are counted and checked here, then
// posted to the I/O thread, where the Session sends them and matches the
// replies.
#include "balancer.hpp"
#include "connect.hpp"
#include "session.hpp"

#include <plugrpc/client/client.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <mutex>
#include <thread>

namespace plugrpc::client {

namespace asio = boost::asio;

class Client::Impl {
public:
    explicit Impl(Options o) : options(std::move(o)) {}
    ~Impl() { stop(); }

    // Starts the I/O thread; it keeps `self` alive while it runs.
    void run(std::shared_ptr<Impl> self) {
        io.restart();
        thread = std::thread([self = std::move(self)] {
            self->io_thread.store(std::this_thread::get_id());
            for (;;) {
                try {
                    self->io.run();
                    return;
                } catch (const std::exception& e) {
                    // Nothing below throws by design; if it does, the
                    // connection cannot be trusted: shut it down.
                    self->session->shutdown(Error{ErrorKind::Transport, std::string("internal error: ") + e.what(), 0});
                }
            }
        });
    }

    void start(std::string_view method, boost::json::value params, CallTypes types, JsonCallback done,
               std::chrono::milliseconds timeout) {
        auto fail_now = [&](Error e) {
            try {
                done(std::move(e));
            } catch (...) {
            }
        };
        if (timeout == kDefaultTimeout) timeout = options.call_timeout;
        std::unique_lock lock(submit);
        if (shared->shut_down.load()) {
            lock.unlock();
            return fail_now(Error{ErrorKind::Shutdown, kShutdownText, 0});
        }
        if (shared->in_flight.fetch_add(1) >= options.max_inflight) {
            shared->in_flight.fetch_sub(1);
            lock.unlock();
            return fail_now(Error{ErrorKind::Usage,
                                  "too many calls in flight (limit " + std::to_string(options.max_inflight) + ")", 0});
        }
        asio::post(io, [s = session, call = OutgoingCall{std::string(method), std::move(params), std::move(types),
                                                         timeout, std::move(done)}]() mutable {
            s->send(std::move(call));
        });
    }

    void close() {
        {
            // Every call posted before this runs before the I/O thread ends;
            // none is posted after.
            std::lock_guard lock(submit);
            shared->shut_down.store(true);
        }
        if (on_io_thread()) session->shutdown(Error{ErrorKind::Shutdown, kShutdownText, 0});
        else asio::post(io, [s = session] { s->shutdown(Error{ErrorKind::Shutdown, kShutdownText, 0}); });
        stop();
    }

    bool on_io_thread() const { return std::this_thread::get_id() == io_thread.load(); }

    Options options;
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::shared_ptr<SharedState> shared = std::make_shared<SharedState>();
    std::shared_ptr<Session> session;
    std::shared_ptr<Balancer> balanced; // an etcd:// target: no session, no I/O thread of its own
    std::mutex submit; // orders posting calls against close()
    std::thread thread;
    std::atomic<std::thread::id> io_thread{};

private:
    // Lets the I/O thread finish what is queued (the shutdown) and end.
    void stop() {
        work.reset();
        if (!thread.joinable()) return;
        if (on_io_thread()) thread.detach(); // closed from a callback: the thread ends by itself
        else thread.join();
    }
};

namespace {

std::string host_header(const Address& a) {
    if (a.unix_socket) return "localhost";
    return (a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host) + ":" + a.port;
}

std::unique_ptr<wire::Codec> make_codec(const Address& a, const Options& o) {
    switch (o.protocol) {
    case Protocol::Json: return wire::make_json_codec(o.max_reply_bytes, false, o.trace);
    case Protocol::JsonGo: return wire::make_json_codec(o.max_reply_bytes, true, o.trace);
    case Protocol::Http: return wire::make_http_codec(o.max_reply_bytes, host_header(a), o.rpc_path, o.trace);
    case Protocol::Gob:
    case Protocol::GobHttp: break;
    }
    return wire::make_gob_codec(o.max_reply_bytes, o.trace);
}

} // namespace

Result<Client> Client::connect(std::string_view address, Options options) {
    Address a;
    std::string why;
    if (is_etcd_target(address)) {
        EtcdTarget target;
        if (!parse_etcd_target(address, target, why)) return Error{ErrorKind::Usage, std::move(why), 0};
        auto impl = std::make_shared<Impl>(options);
        auto balanced = Balancer::open(std::move(target), std::move(options));
        if (!balanced) return balanced.error();
        impl->balanced = std::move(*balanced);
        return Client(std::move(impl));
    }
    if (!parse_address(address, a, why)) return Error{ErrorKind::Usage, std::move(why), 0};
    auto impl = std::make_shared<Impl>(std::move(options));
    Result<Connected> c = open_connection(impl->io, a, impl->options);
    if (!c) return c.error();
    auto codec = make_codec(a, impl->options);
    impl->session = std::make_shared<Session>(std::move(c->socket), std::move(codec), impl->shared);
    impl->session->start(c->already_read);
    impl->run(impl);
    return Client(std::move(impl));
}

Client::Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;

Client& Client::operator=(Client&& other) noexcept {
    if (this != &other) {
        close();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

Client::~Client() { close(); }

void Client::close() {
    if (impl_ && impl_->balanced) impl_->balanced->close();
    else if (impl_) impl_->close();
}

bool Client::is_shut_down() const {
    if (impl_ && impl_->balanced) return impl_->balanced->is_shut_down();
    return !impl_ || impl_->shared->shut_down.load();
}

std::size_t Client::in_flight() const {
    if (impl_ && impl_->balanced) return impl_->balanced->in_flight();
    return impl_ ? impl_->shared->in_flight.load() : 0;
}

std::optional<Error> Client::refuse_sync_call() const {
    if (impl_ && (impl_->balanced ? impl_->balanced->on_callback_thread() : impl_->on_io_thread()))
        return Error{ErrorKind::Usage, "a synchronous call from a callback would wait for itself; use call_async", 0};
    return std::nullopt;
}

void Client::call_json_async(std::string_view method, boost::json::value params, const CallTypes* types,
                             JsonCallback done, std::chrono::milliseconds timeout) {
    if (!impl_) {
        done(Error{ErrorKind::Shutdown, kShutdownText, 0});
        return;
    }
    if (impl_->balanced)
        return impl_->balanced->call(method, std::move(params), types ? *types : CallTypes{}, std::move(done), timeout);
    impl_->start(method, std::move(params), types ? *types : CallTypes{}, std::move(done), timeout);
}

Result<boost::json::value> Client::call_json(std::string_view method, boost::json::value params,
                                             const CallTypes* types, std::chrono::milliseconds timeout) {
    if (auto refused = refuse_sync_call()) return *refused;
    auto promise = std::make_shared<std::promise<Result<boost::json::value>>>();
    auto future = promise->get_future();
    call_json_async(method, std::move(params), types,
                    [promise](Result<boost::json::value> r) { promise->set_value(std::move(r)); }, timeout);
    return future.get();
}

} // namespace plugrpc::client
