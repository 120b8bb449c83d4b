#include "server/isolate/isolated_plugin.hpp"

#include "server/isolate/channel.hpp"
#include "server/isolate/log_limit.hpp"
#include "server/isolate/pending_calls.hpp"
#include "server/http/process_stats.hpp"
#include "server/isolate/spawn.hpp"
#include "server/net/drained.hpp"
#include "server/net/io_loop.hpp"
#include "server/rpc/call_table.hpp"
#include "server/rpc/dispatcher.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <deque>
#include <optional>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <utility>
#include <future>
#include <condition_variable>
#include <mutex>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace plugrpc::isolate {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::chrono::nanoseconds hard_bound(std::chrono::nanoseconds t) { return std::max(2 * t, t + 1s); }

namespace {

std::string ms_text(Clock::duration d) {
    return duration_text(std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// The CPU time and resident memory of `pid`, from one read of
// /proc/PID/stat (parsed as for the daemon's own process_* metrics).
std::optional<ProcessStats> child_stats(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_proc_stat(text, 0, ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE));
}

// A child's output lines logged: a burst, then so many a second.
constexpr int kLogLinesPerSecond = 100;
constexpr int kLogLineBurst = 1000;

// Why a child that broke the channel's framing is killed.
constexpr const char* kMalformed = "it sent a malformed frame on its channel";
constexpr const char* kMalformedStart = "sent a malformed frame before the plugin was registered";
// Why a live child whose calls' pipe has no reader is killed.
constexpr const char* kStoppedReading = "it stopped reading its calls";

// max_cpu is judged over this much of the child's life.
constexpr Clock::duration kCpuWindow = 10s;

std::string cores_text(double cores) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", cores);
    return buf;
}

class IsolatedProcess;
class LoopLink;

struct ProxyMethod {
    IsolatedProcess* self;
    std::uint32_t index;
    std::string full_name;
};

class IsolatedProcess final : public PluginProcess, public std::enable_shared_from_this<IsolatedProcess> {
public:
    IsolatedProcess(std::filesystem::path file, int copy_fd, std::string start_frame, IsolateOptions options)
        : file_(std::move(file)), copy_fd_(copy_fd), start_frame_(std::move(start_frame)),
          options_(std::move(options)), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

    ~IsolatedProcess() override {
        end_child();
        if (copy_fd_ >= 0) ::close(copy_fd_);
        if (wake_ >= 0) ::close(wake_);
    }

    // The first child: its Hello, or false with `error`. Started on the
    // supervisor's thread, which lives as long as the plugin — a child's
    // PR_SET_PDEATHSIG fires when the thread that forked it ends, and the
    // loading thread ends once the plugin is loaded. The supervisor waits
    // for run_supervisor() (or stop()) before it serves the child.
    bool start_first(json::object& hello, std::string& error) {
        std::promise<bool> started;
        std::future<bool> result = started.get_future();
        thread_ = std::thread([self = shared_from_this(), &started, &hello, &error] {
            bool ok = self->start_child(hello, error);
            if (ok) self->take_name(hello);
            started.set_value(ok); // `hello` and `error` are the loading thread's again
            if (!ok) return;
            {
                std::unique_lock lock(self->mu_);
                self->go_cv_.wait(lock, [&] { return self->go_ || self->stopping_.load(); });
            }
            self->supervise();
        });
        if (result.get()) return true;
        thread_.join();
        return false;
    }

    void take_name(json::object& hello) {
        name_ = std::string(hello["name"].as_string());
        label_ = "plugin " + name_;
        if (auto it = options_.max_memory.find(name_); it != options_.max_memory.end()) max_memory_ = it->second;
        if (auto it = options_.max_cpu.find(name_); it != options_.max_cpu.end()) max_cpu_ = it->second;
    }

    void adopt_methods(const std::vector<Method>& methods) {
        proxies_.reserve(methods.size());
        for (std::uint32_t i = 0; i < methods.size(); ++i) proxies_.push_back({this, i, methods[i].full_name});
        hello_names_.clear();
        for (const auto& m : methods) hello_names_.push_back(m.full_name);
    }
    ProxyMethod* proxy(std::size_t i) { return &proxies_[i]; }

    void run_supervisor() {
        std::lock_guard lock(mu_);
        go_ = true;
        go_cv_.notify_all();
    }

    static int forward_call(void* data, plrpc_call* handle, const char* args, size_t len) {
        auto* pm = static_cast<ProxyMethod*>(data);
        return pm->self->forward(*pm, handle, std::string_view(args, len));
    }

    PluginProcessStatus status() const override {
        std::lock_guard lock(mu_);
        PluginProcessStatus s;
        s.pid = pid_;
        s.up = up_;
        s.restarts = restarts_;
        s.last_exit = last_exit_;
        if (stopped_) s.state = "stopped";
        else if (up_) s.state = "up";
        else if (retry_at_ > Clock::now()) s.state = "restarting in " + ms_text(retry_at_ - Clock::now());
        else s.state = "starting";
        return s;
    }

    void stop() override {
        {
            std::lock_guard lock(mu_);
            stopping_.store(true);
            go_cv_.notify_all();
        }
        wake();
        if (!thread_.joinable()) return;
        if (thread_.get_id() == std::this_thread::get_id()) thread_.detach(); // it holds itself alive
        else thread_.join();
    }

private:
    friend class LoopLink;

    // Who reads a child's answers: decided by its first call. A network
    // thread's loop (LoopLink) when that call came from one, so an answer
    // completes its call with no other thread woken; else the supervisor.
    enum class ReadBy : std::uint8_t { Unset, Supervisor, Loop };
    void choose_reader_locked();

    void wake() {
        std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
    }

    // The loop reading the child of `generation` found a frame that is not
    // an answer, or one over the size bound: the stream is out of step (a
    // plugin wrote on the channel's descriptor), no later answer can be
    // trusted, and the supervisor kills the child.
    void malformed(std::uint64_t generation) {
        malformed_generation_.store(generation);
        wake();
    }
    // On the supervisor's thread: kill the child for `why`, unless it is
    // being killed already.
    void kill_child(std::string why) {
        if (!kill_reason_.empty()) return;
        kill_reason_ = std::move(why);
        ::kill(child_.worker, SIGKILL);
    }

    int forward(const ProxyMethod& pm, plrpc_call* handle, std::string_view args) {
        Call* c = call_table::t_running;
        if (!c || c->handle != handle) return PLRPC_INVALID; // only ever run by the dispatcher
        if (args.size() > kMaxPayload) { // max_message_bytes near 4 GiB, and text longer than the message
            Dispatcher::finish(c, Outcome::failure(Outcome::Kind::Internal,
                                                   pm.full_name + ": its arguments are " + std::to_string(args.size()) +
                                                       " bytes as JSON text, more than a call to a plugin's process "
                                                       "can carry (" + std::to_string(kMaxPayload) + " bytes)"));
            return PLRPC_OK;
        }
        auto deadline = Dispatcher::deadline(c);
        bool timed = deadline != Clock::time_point::max();
        boost::asio::io_context* loop = current_io_loop();
        std::uint64_t id = 0;
        Writer* writer = nullptr;
        std::shared_ptr<Writer> to_flush; // when no flush of it is scheduled on this thread yet
        std::string refused;
        {
            std::lock_guard lock(mu_);
            if (up_) {
                if (read_by_.load(std::memory_order_relaxed) == ReadBy::Unset) choose_reader_locked();
                auto hard = timed ? c->started + hard_bound(deadline - c->started) : Clock::time_point::max();
                id = pending_.add({handle, pm.index, hard});
                writer = writer_.get();
                if (!loop || !flush_scheduled(writer)) to_flush = writer_;
            } else {
                refused = label_ + " is restarting" + (last_exit_.empty() ? "" : " (" + last_exit_ + ")") +
                          "; " + pm.full_name + " was not run";
            }
        }
        if (!writer) {
            Dispatcher::finish(c, Outcome::failure(Outcome::Kind::Internal, std::move(refused)));
            return PLRPC_OK;
        }
        // If its caller goes away, the process is told (cancel_passed).
        c->passed_token.store(id, std::memory_order_relaxed);
        c->passed_on.store(&cancel_passed, std::memory_order_release);
        FrameHeader h{};
        h.kind = FrameKind::Call;
        h.method = pm.index;
        h.id = id;
        h.deadline_ns = timed ? std::max<std::int64_t>(1, deadline.time_since_epoch().count()) : 0;
        // A network thread that batches (server/net/io_loop.hpp) writes
        // the calls of one look together, at the look's end; else the calls
        // of a session's turn (one read's requests) go at the turn's end,
        // and those of any other handler of a loop right after it. A
        // writer whose flush is scheduled on this thread lives until that
        // flush (it holds the writer), so `writer` needs no reference here.
        if (!writer->send(h, args, !loop)) {
            bool mine;
            {
                std::lock_guard lock(mu_);
                PendingCalls::Entry e;
                mine = pending_.take(id, e);
            }
            if (!mine) return PLRPC_PENDING; // the child died meanwhile: take_down() ends the call
            if (writer->failed())
                Dispatcher::finish(c, Outcome::failure(Outcome::Kind::Internal, label_ + ": " + kStoppedReading + "; " +
                                                                            pm.full_name + " was not run"));
            else
                Dispatcher::finish(c, Outcome::failure(Outcome::Kind::Busy, label_ + ": its channel is full or closed; " +
                                                                       pm.full_name + " was not run"));
            return PLRPC_OK;
        }
        if (loop && to_flush) schedule_flush(std::move(to_flush), *loop);
        return PLRPC_PENDING;
    }

    // The caller of the call the process knows as `id` went away, and the
    // daemon ended it: the process ends it too, if it still waits there,
    // so that the plugin reads call_cancelled() == 1. Its answer (a
    // Cancelled reply, or one given meanwhile) frees the id as any does.
    static void cancel_passed(void* data, std::uint64_t id) {
        auto* pm = static_cast<ProxyMethod*>(data);
        pm->self->cancel_in_child(id);
    }
    void cancel_in_child(std::uint64_t id) {
        std::shared_ptr<Writer> writer;
        {
            std::lock_guard lock(mu_);
            if (!up_ || !pending_.holds(id)) return; // answered meanwhile, or its process is gone
            writer = writer_;
        }
        FrameHeader h{};
        h.kind = FrameKind::Cancel;
        h.id = id;
        writer->send(h, {}); // rare: written now, with whatever calls wait before it
    }

    // Flush `writer` once, when this network thread's work at hand ends:
    // at the end of the look in a loop that batches (the child then runs
    // while the loop sleeps, and its answers are there at the next look;
    // flushed at the next look's start, they waited for the one after),
    // else at the end of the session's turn, else right after this
    // handler (posted; a posted handler costs the loop a look at epoll
    // first, so a turn's is not).
    static void schedule_flush(std::shared_ptr<Writer> writer, boost::asio::io_context& loop) {
        if (flush_scheduled(writer.get())) return;
        auto flush = std::make_shared<ScheduledFlush>(std::move(writer));
        auto run = [](void* p) { static_cast<ScheduledFlush*>(p)->run(); };
        if (io_loop_detail::state.batching) return io_loop_detail::defer_to_look_end({std::move(flush), run});
        if (Dispatcher::at_turn_end(flush, run)) return;
        boost::asio::post(loop, [flush = std::move(flush)] { flush->run(); });
    }

    // The writers with a flush scheduled on this thread, not yet run. Each
    // is held by its ScheduledFlush, which takes it off the list when it
    // runs or is dropped unrun (a loop that stops): a writer on the list is
    // alive.
    static inline thread_local std::vector<Writer*> t_scheduled;
    static bool flush_scheduled(Writer* w) {
        return std::find(t_scheduled.begin(), t_scheduled.end(), w) != t_scheduled.end();
    }
    class ScheduledFlush {
    public:
        explicit ScheduledFlush(std::shared_ptr<Writer> w) : writer_(std::move(w)) { t_scheduled.push_back(writer_.get()); }
        ~ScheduledFlush() { std::erase(t_scheduled, writer_.get()); }
        ScheduledFlush(const ScheduledFlush&) = delete;
        ScheduledFlush& operator=(const ScheduledFlush&) = delete;
        void run() {
            std::erase(t_scheduled, writer_.get()); // calls sent from here on need a flush of their own
            writer_->flush();
        }

    private:
        std::shared_ptr<Writer> writer_;
    };

    // Every whole answer `in` holds, from the child of `generation`. False
    // when the stream is out of step (a frame that is not an answer, or
    // one over the size bound): nothing after it can be trusted.
    bool deliver(Reader& in, std::uint64_t generation) {
        // The answers this read brought, each matched to its call under
        // one lock; each then completes outside it.
        thread_local std::vector<Answer> spare; // capacity kept across reads
        std::vector<Answer> batch;
        batch.swap(spare);
        batch.clear();
        FrameHeader h{};
        std::string_view payload;
        bool in_step = true;
        while (in.next(h, payload)) {
            if (h.kind != FrameKind::Reply) {
                in_step = false;
                break;
            }
            batch.push_back({h.id, h.status, payload, nullptr});
        }
        if (!batch.empty()) {
            {
                std::lock_guard lock(mu_);
                // An earlier child's, read late: its calls were failed.
                bool current = generation == generation_;
                PendingCalls::Entry e;
                for (Answer& a : batch)
                    if (current && pending_.take(a.id, e)) a.handle = e.handle; // else failed already
            }
            for (const Answer& a : batch)
                if (a.handle) complete(a);
        }
        batch.clear();
        if (batch.capacity() > spare.capacity()) spare.swap(batch);
        return in_step && !in.broken();
    }

    struct Answer {
        std::uint64_t id;
        std::uint8_t status;
        std::string_view payload;
        plrpc_call* handle; // null: its call is no longer held
    };

    void complete(const Answer& a) {
        if (a.status == static_cast<std::uint8_t>(Outcome::Kind::Ok)) {
            host_table()->reply_json(a.handle, a.payload.data(), a.payload.size()); // refused when it ended
            return;
        }
        Call* c = call_table::acquire(a.handle);
        if (!c) return; // timed out meanwhile
        auto kind = a.status <= static_cast<std::uint8_t>(Outcome::Kind::Cancelled) ? Outcome::Kind(a.status)
                                                                                     : Outcome::Kind::Internal;
        // The child holds this call's deadline too, and may see it pass
        // first: the caller gets what the daemon's own deadline gives.
        Dispatcher::finish(c, kind == Outcome::Kind::Timeout ? Dispatcher::timed_out(c)
                                                              : Outcome::failure(kind, std::string(a.payload)));
        call_table::release(c);
    }

    // Spawn a child, hand it the plugin, wait for its Hello.
    bool start_child(json::object& hello, std::string& error) {
        SpawnLimits limits;
        Child ch = spawn_child(options_.host_program, label_.empty() ? file_.filename().string() : name_, copy_fd_,
                               limits, error);
        if (ch.pid < 0) return false;
        child_ = ch;
        {
            std::lock_guard lock(mu_);
            pid_ = ch.pid;
        }
        auto writer = std::make_shared<Writer>(ch.calls, ::fcntl(wake_, F_DUPFD_CLOEXEC, 0));
        FrameHeader start{};
        start.kind = FrameKind::Start;
        writer->send(start, start_frame_);
        reader_ = Reader();
        auto until = Clock::now() + options_.start_timeout;
        bool first = true;
        for (;;) {
            FrameHeader h{};
            std::string_view payload;
            if (reader_.next(h, payload)) {
                // The process the plugin runs in, named before any plugin
                // code ran (later, one is a malformed frame): bounds are
                // measured on it, and it is what is killed (the host's
                // first process then ends the rest).
                if (std::exchange(first, false) && h.kind == FrameKind::Worker && h.id > 0 &&
                    h.id <= std::uint64_t(std::numeric_limits<pid_t>::max())) {
                    child_.worker = pid_t(h.id);
                    continue;
                }
                boost::system::error_code ec;
                json::value v = json::parse(payload, ec);
                if (h.kind != FrameKind::Hello || ec || !v.is_object()) {
                    error = "its process sent no valid description of the plugin";
                } else if (auto* e = v.get_object().if_contains("error"); e && e->is_string()) {
                    error = std::string(e->get_string());
                } else if (!v.get_object().contains("name") || !v.get_object()["name"].is_string() ||
                           !v.get_object().contains("methods") || !v.get_object()["methods"].is_array()) {
                    error = "its process sent no valid description of the plugin";
                } else {
                    hello = std::move(v.get_object());
                    std::lock_guard lock(mu_);
                    pid_ = child_.worker;
                    break;
                }
                drain_log();
                end_child();
                return false;
            }
            auto now = Clock::now();
            if (now >= until) {
                error = "its process did not register the plugin within " + ms_text(options_.start_timeout);
                end_child();
                return false;
            }
            pollfd p[4] = {{ch.replies, POLLIN, 0},
                           {ch.log, POLLIN, 0},
                           {wake_, POLLIN, 0},
                           {ch.calls, short(writer->pending() ? POLLOUT : 0), 0}};
            int wait_ms = int(std::min<Clock::duration>(until - now, 100ms) / 1ms) + 1;
            if (::poll(p, 4, wait_ms) < 0 && errno != EINTR) continue;
            if (p[1].revents) drain_log();
            if (p[3].revents & POLLOUT) writer->flush();
            if (stopping_.load()) {
                error = "stopped while starting";
                end_child();
                return false;
            }
            if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                Reader::Fill got = reader_.fill(ch.replies);
                if (got == Reader::Fill::End || got == Reader::Fill::Failed || reader_.broken()) {
                    drain_log();
                    bool broken = reader_.broken();
                    bool ended = !broken && exits_within(200ms);
                    int status = reap();
                    error = broken  ? std::string("its process ") + kMalformedStart
                            : ended ? "its process ended before the plugin was registered: " + describe_exit(status)
                                    : "its process closed its channel before the plugin was registered";
                    end_child();
                    return false;
                }
            }
        }
        std::lock_guard lock(mu_);
        writer_ = writer;
        replies_fd_ = ch.replies;
        ++generation_;
        read_by_.store(ReadBy::Unset);
        link_done_.reset();
        up_ = true;
        started_at_ = Clock::now();
        return true;
    }

    void supervise() {
        auto backoff = options_.first_backoff;
        while (!stopping_.load()) {
            if (child_.pid < 0) {
                Clock::time_point retry;
                {
                    std::lock_guard lock(mu_);
                    retry = retry_at_;
                }
                if (Clock::now() < retry) {
                    pollfd p{wake_, POLLIN, 0};
                    int ms = int((retry - Clock::now()) / 1ms) + 1;
                    ::poll(&p, 1, std::min(ms, 1000));
                    drain_wake();
                    continue;
                }
                json::object hello;
                std::string error;
                bool ok = start_child(hello, error);
                if (ok && !same_methods(hello)) {
                    error = "its new process registered other methods than the first";
                    take_down(Clock::now());
                    end_child();
                    ok = false;
                }
                if (!ok) {
                    if (stopping_.load()) break;
                    std::lock_guard lock(mu_);
                    retry_at_ = Clock::now() + backoff;
                    spdlog::error("{} ({}) could not be restarted: {}; next try in {}", label_, file_.string(),
                                  error, ms_text(backoff));
                    backoff = std::min(backoff * 2, options_.max_backoff);
                    continue;
                }
                spdlog::info("{} restarted (pid {})", label_, child_.worker);
            }
            serve();
            if (stopping_.load()) break;
            // The child died or was killed, or its channel closed: a dying
            // process closes it just before it exits, a live one only when
            // its plugin closed a descriptor it does not own.
            if (kill_reason_.empty() && !exits_within(200ms)) kill_child("it closed its channel");
            bool killed = !kill_reason_.empty();
            int status = reap();
            wait_for_loop_reader(); // answers the child sent before it died still complete
            std::string why = killed ? "was killed: " + kill_reason_ : describe_exit(status);
            auto now = Clock::now();
            if (now - started_at_ >= 10s) backoff = options_.first_backoff;
            auto failed = take_down(now + backoff, killed ? kill_reason_ : describe_exit(status));
            drain_log();
            spdlog::error("{} ({}) {}{}; {} calls failed; restarting in {}", label_, file_.string(),
                          killed ? "" : "crashed: ", why, failed, ms_text(backoff));
            backoff = std::min(backoff * 2, options_.max_backoff);
            end_child();
            kill_reason_.clear();
        }
        take_down(Clock::time_point::max(), "");
        end_child();
        std::lock_guard lock(mu_);
        stopped_ = true;
    }

    // Mark the plugin down; fail every call the child held, naming the
    // method and why. Returns how many.
    std::size_t take_down(Clock::time_point retry, const std::string& why = "stopped") {
        std::vector<PendingCalls::Entry> held;
        {
            std::lock_guard lock(mu_);
            up_ = false;
            replies_fd_ = -1;
            retry_at_ = retry;
            if (writer_) writer_->close();
            writer_.reset();
            held = pending_.take_all();
            if (!why.empty() && retry != Clock::time_point::max()) {
                ++restarts_;
                last_exit_ = why;
            }
        }
        bool crashed = why.find("signal") == 0 || why.find("exit") == 0;
        for (const auto& p : held) {
            Call* c = call_table::acquire(p.handle);
            if (!c) continue;
            const std::string& method = proxies_[p.method].full_name;
            std::string text = why.empty() ? label_ + " stopped before " + method + " answered"
                               : crashed   ? label_ + " crashed in " + method + ": " + why
                                           : label_ + " was killed in " + method + ": " + why;
            Dispatcher::finish(c, Outcome::failure(Outcome::Kind::Internal, std::move(text)));
            call_table::release(c);
        }
        return held.size();
    }

    bool same_methods(const json::object& hello) const {
        const auto& ms = hello.at("methods").as_array();
        if (ms.size() != hello_names_.size()) return false;
        for (std::size_t i = 0; i < ms.size(); ++i) {
            const auto* o = ms[i].if_object();
            if (!o || !o->contains("service") || !o->contains("method")) return false;
            std::string full = std::string(o->at("service").as_string()) + "." + std::string(o->at("method").as_string());
            if (full != hello_names_[i]) return false;
        }
        return true;
    }

    // Read the channel, the log and the process until the child is gone or
    // the plugin stops.
    void serve() {
        auto next_check = Clock::now();
        std::shared_ptr<Writer> writer;
        {
            std::lock_guard lock(mu_);
            writer = writer_;
        }
        for (;;) {
            // Until the child's first call picks its reader, and while a
            // loop reads it, only a hang-up on the channel is watched here.
            bool reading = read_by_.load() == ReadBy::Supervisor;
            bool writable = writer && !writer->failed();
            // The answers pipe reports a hang-up (the child's end closed)
            // whatever it is asked for.
            pollfd p[5] = {{child_.replies, short(reading ? POLLIN : 0), 0},
                           {child_.log, POLLIN, 0},
                           {wake_, POLLIN, 0},
                           {child_.calls, short(writable && writer->pending() ? POLLOUT : 0), 0},
                           {child_.pidfd, POLLIN, 0}};
            int n = ::poll(p, child_.pidfd >= 0 ? 5 : 4, 100);
            if (n < 0 && errno != EINTR) return;
            if (p[2].revents) drain_wake();
            if (stopping_.load()) return;
            if (malformed_generation_.load() == current_generation()) kill_child(kMalformed);
            // Its calls' pipe has no reader, the process lives on (its
            // plugin replaced descriptor 5): it would never see a call.
            if (writer && writer->failed()) kill_child(kStoppedReading);
            if (p[1].revents) drain_log();
            if (writable && (p[3].revents & POLLOUT || writer->pending())) writer->flush();
            if (reading && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
                Reader::Fill got = reader_.fill(child_.replies);
                if (!deliver(reader_, current_generation())) {
                    kill_child(kMalformed);
                    return;
                }
                if (got == Reader::Fill::End || got == Reader::Fill::Failed) return;
            } else if (!reading && (p[0].revents & (POLLHUP | POLLERR))) {
                return; // the child closed the channel
            }
            if (child_.pidfd >= 0 && p[4].revents) return;
            auto now = Clock::now();
            if (now >= next_check) {
                next_check = now + 100ms;
                check_bounds(now);
                say_dropped_output(false);
            }
        }
    }

    std::uint64_t current_generation() {
        std::lock_guard lock(mu_);
        return generation_;
    }

    // A call stuck past its hard bound, or memory over max_memory: kill.
    void check_bounds(Clock::time_point now) {
        if (!kill_reason_.empty()) return;
        std::string why;
        {
            std::lock_guard lock(mu_);
            if (const auto* p = pending_.first_past(now))
                why = proxies_[p->method].full_name + " did not answer within its hard bound (twice its call "
                      "timeout, at least 1s past it)";
        }
        std::optional<ProcessStats> stats;
        if (why.empty() && (max_memory_ || max_cpu_ > 0)) stats = child_stats(child_.worker);
        if (why.empty() && max_memory_ && stats) {
            auto rss = static_cast<std::uint64_t>(stats->resident_bytes);
            if (rss > max_memory_) why = "resident memory " + mib(rss) + " over max_memory " + mib(max_memory_);
        }
        if (why.empty() && max_cpu_ > 0 && stats) why = check_cpu(now, stats->cpu_seconds);
        if (!why.empty()) kill_child(std::move(why));
    }

    // The CPU the child used over the last kCpuWindow, sampled at each
    // check; judged once it has lived that long.
    std::string check_cpu(Clock::time_point now, double cpu_seconds) {
        if (!cpu_samples_.empty() && cpu_samples_.front().pid != child_.worker) cpu_samples_.clear();
        cpu_samples_.push_back({now, cpu_seconds, child_.worker});
        while (cpu_samples_.size() > 2 && now - cpu_samples_[1].at >= kCpuWindow) cpu_samples_.pop_front();
        const CpuSample& first = cpu_samples_.front();
        if (now - first.at < kCpuWindow) return {};
        double seconds = std::chrono::duration<double>(now - first.at).count();
        double cores = (cpu_seconds - first.cpu_seconds) / seconds;
        if (cores <= max_cpu_) return {};
        char span[32];
        std::snprintf(span, sizeof span, "%.1fs", seconds);
        return "CPU " + cores_text(cores) + " cores over the last " + span + ", over max_cpu " + cores_text(max_cpu_);
    }

    // True when the child has ended, or ends within `wait` (not reaped).
    bool exits_within(Clock::duration wait) {
        auto until = Clock::now() + wait;
        for (;;) {
            siginfo_t info{};
            if (::waitid(P_PID, static_cast<id_t>(child_.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                info.si_pid == child_.pid)
                return true;
            if (Clock::now() >= until) return false;
            if (child_.pidfd >= 0) {
                pollfd p{child_.pidfd, POLLIN, 0};
                ::poll(&p, 1, 20);
            } else {
                ::usleep(5000);
            }
        }
    }

    // End and wait for the child. The processes its plugin started and
    // left in its process group go with it: killed before the child is
    // reaped, while its pid (the group's id) is still its own. One that
    // left the group (setsid) escapes: the unit's cgroup still holds it.
    // The child itself is killed too, in case it is still alive: a wait
    // here never depends on it.
    int reap() {
        ::kill(-child_.pid, SIGKILL);
        ::kill(child_.pid, SIGKILL);
        int status = 0;
        while (::waitpid(child_.pid, &status, 0) < 0 && errno == EINTR) {
        }
        child_reaped_ = true;
        return status;
    }

    // A dead child's answers are all in the pipe: give the loop reading
    // them a moment to complete their calls before the rest fail.
    void wait_for_loop_reader() {
        std::shared_ptr<std::atomic<bool>> done;
        {
            std::lock_guard lock(mu_);
            if (read_by_.load() != ReadBy::Loop) return;
            done = link_done_;
        }
        auto until = Clock::now() + 1s;
        while (done && !done->load() && Clock::now() < until) {
            pollfd p{wake_, POLLIN, 0};
            ::poll(&p, 1, 20);
            drain_wake();
        }
    }

    // Close the channel and let the child go: it exits when it reads the
    // end (after its plugin's shutdown); killed if it takes over 2 s. A
    // loop reading its answers (LoopLink) reads their end once the child
    // and its process group are gone. (A process the plugin forked without
    // exec that left the group keeps that pipe open, and the loop's idle
    // read with it, until it exits: what it writes there is tied to a
    // child that is no more, and ignored.)
    void end_child() {
        if (child_.pid < 0) return;
        for (int* fd : {&child_.calls, &child_.replies}) {
            if (*fd >= 0) ::close(*fd);
            *fd = -1;
        }
        if (!child_reaped_) {
            exits_within(2s); // then reap() kills it, if it still runs, and its group
            reap();
        }
        drain_log(1u << 20);
        flush_log_line();
        say_dropped_output(true);
        if (child_.pidfd >= 0) ::close(child_.pidfd);
        if (child_.log >= 0) ::close(child_.log);
        child_ = Child{};
        child_reaped_ = false;
        std::lock_guard lock(mu_);
        pid_ = 0;
    }

    void drain_wake() {
        std::uint64_t n;
        [[maybe_unused]] auto r = ::read(wake_, &n, sizeof n);
    }

    // The child's stdout and stderr, a line at a time, logged with the
    // plugin's name ("I text", "W text": the child's own log lines carry
    // their level), at most `most` bytes of it per call: a child that
    // prints without pause leaves its supervisor the rest of its work (its
    // poll comes back at once for more), and at most kLogLinesPerSecond
    // lines a second (log_limit.hpp) reach the log.
    void drain_log(std::size_t most = 64u << 10) {
        if (child_.log < 0) return;
        char buf[4096];
        for (std::size_t taken = 0; taken < most;) {
            ssize_t n = ::read(child_.log, buf, sizeof buf);
            if (n <= 0) break;
            taken += static_cast<std::size_t>(n);
            for (ssize_t i = 0; i < n; ++i) {
                if (buf[i] == '\n' || log_line_.size() >= 4096) flush_log_line();
                if (buf[i] != '\n') log_line_ += buf[i];
            }
        }
    }
    void flush_log_line() {
        if (log_line_.empty()) return;
        if (!log_limit_.take(Clock::now())) return log_line_.clear();
        std::string_view line = log_line_;
        auto level = spdlog::level::info;
        if (line.size() >= 2 && line[1] == ' ') {
            switch (line[0]) {
            case 'D': level = spdlog::level::debug; line.remove_prefix(2); break;
            case 'I': level = spdlog::level::info; line.remove_prefix(2); break;
            case 'W': level = spdlog::level::warn; line.remove_prefix(2); break;
            case 'E': case 'C': level = spdlog::level::err; line.remove_prefix(2); break;
            default: break;
            }
        }
        // Control characters (a terminal's escape sequences among them) are
        // written as \xNN: the plugin's output is text for the log, not
        // commands for the terminal that shows it.
        std::string shown;
        for (unsigned char ch : line) {
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                char hex[5];
                std::snprintf(hex, sizeof hex, "\\x%02x", ch);
                shown += hex;
            } else {
                shown += static_cast<char>(ch);
            }
        }
        spdlog::log(level, "{} [pid {}]: {}", log_name(), child_.worker, shown);
        log_line_.clear();
    }
    // Said at most once a second, and when the child's output ends.
    void say_dropped_output(bool ended) {
        if (std::uint64_t n = log_limit_.dropped_to_say(Clock::now(), ended))
            spdlog::warn("{}: {} lines of its output were not logged (more than {} a second)", log_name(), n,
                         kLogLinesPerSecond);
    }
    std::string log_name() const { return label_.empty() ? file_.filename().string() : label_; }

    std::filesystem::path file_;
    int copy_fd_;
    std::string start_frame_;
    IsolateOptions options_;
    int wake_;
    std::string name_, label_;
    std::uint64_t max_memory_ = 0;
    double max_cpu_ = 0;
    struct CpuSample {
        Clock::time_point at;
        double cpu_seconds;
        pid_t pid;
    };
    std::deque<CpuSample> cpu_samples_; // the supervisor's
    std::vector<ProxyMethod> proxies_;
    std::vector<std::string> hello_names_;

    // The supervisor thread's own.
    Child child_;
    bool child_reaped_ = false;
    Reader reader_;
    std::string kill_reason_;
    std::string log_line_;
    LogLimit log_limit_{kLogLinesPerSecond, kLogLineBurst};
    Clock::time_point started_at_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};

    mutable std::mutex mu_;
    std::condition_variable go_cv_; // run_supervisor() or stop() after the first child started
    bool go_ = false;
    bool up_ = false;
    bool stopped_ = false;
    pid_t pid_ = 0;
    std::uint64_t restarts_ = 0;
    std::string last_exit_;
    Clock::time_point retry_at_{};
    std::shared_ptr<Writer> writer_;
    PendingCalls pending_;
    int replies_fd_ = -1;          // while up_: the answers pipe's read end
    std::uint64_t generation_ = 0; // children started
    std::atomic<ReadBy> read_by_{ReadBy::Unset};
    std::shared_ptr<std::atomic<bool>> link_done_; // set by the LoopLink when it stops reading
    std::atomic<std::uint64_t> malformed_generation_{0}; // malformed(): the child that broke the framing
};

// Reads a child's answers in the loop of the network thread that sent its
// first call, and completes them there: no thread is woken for an answer
// but the one its call came from (unless a call came from another loop,
// which its completion is then posted to). It holds its own copy of the
// answers pipe's descriptor as a stream of that loop, read as a session
// reads its connection: a read that came back short tells the reactor the
// pipe is empty (server/net/drained.hpp), so the next read waits for the
// next edge with no system call, and no re-arming of epoll per answer. It
// stops at the pipe's end (the child gone), or when its plugin is gone.
class LoopLink : public std::enable_shared_from_this<LoopLink> {
public:
    LoopLink(boost::asio::io_context& loop, int fd, std::weak_ptr<IsolatedProcess> owner, std::uint64_t generation,
             std::shared_ptr<std::atomic<bool>> done)
        : pipe_(loop, fd), owner_(std::move(owner)),
          generation_(generation), done_(std::move(done)) {}

    // A read of what the child sends next. One made on the spot completes
    // through the loop's queue, after the loop's other work: a child that
    // answers faster than they are written takes turns with the rest.
    void arm() {
        std::span<char> room = reader_.room();
        pipe_.async_read_some(boost::asio::buffer(room.data(), room.size()),
                              [self = shared_from_this(), asked = room.size()](boost::system::error_code ec,
                                                                               std::size_t n) {
                                  if (!ec && n < asked && self->read_on_edge_) mark_drained(self->pipe_);
                                  self->on_read(ec, n);
                              });
        read_on_edge_ = read_queued(pipe_);
    }

private:
    void on_read(boost::system::error_code ec, std::size_t n) {
        auto owner = owner_.lock();
        if (!ec && owner) {
            reader_.commit(n);
            bool in_step;
            {
                AnswerBatch together; // each connection's answers in one write
                in_step = owner->deliver(reader_, generation_);
            }
            if (in_step) return arm();
            owner->malformed(generation_);
        }
        boost::system::error_code ignored;
        pipe_.close(ignored);
        done_->store(true);
        if (owner) owner->wake();
    }

    Pipe pipe_;
    bool read_on_edge_ = false; // the read waits in the reactor (drained.hpp)
    Reader reader_;
    std::weak_ptr<IsolatedProcess> owner_;
    std::uint64_t generation_;
    std::shared_ptr<std::atomic<bool>> done_;
};

void IsolatedProcess::choose_reader_locked() {
    if (auto* loop = current_io_loop()) {
        int fd = ::fcntl(replies_fd_, F_DUPFD_CLOEXEC, 0);
        if (fd >= 0) {
            try {
                auto done = std::make_shared<std::atomic<bool>>(false);
                auto link = std::make_shared<LoopLink>(*loop, fd, weak_from_this(), generation_, done);
                link->arm();
                link_done_ = std::move(done);
                read_by_.store(ReadBy::Loop);
                return;
            } catch (const boost::system::system_error& e) {
                ::close(fd);
                spdlog::warn("{}: its answers are read by its supervisor: {}", label_, e.what());
            }
        }
    }
    read_by_.store(ReadBy::Supervisor);
    wake(); // the supervisor starts reading the channel
}

std::string str(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

} // namespace

LoadResult load_isolated(const std::filesystem::path& file, const json::object& configs,
                         const IsolateOptions& options, const Unloader& unloader) {
    LoadResult r;
    FileIdentity id;
    int copy = sealed_copy(file, id, r.error);
    if (copy < 0) return r;
    json::object start;
    start["file"] = "/proc/self/fd/4";
    start["configs"] = configs;
    start["blocking_threads"] = options.blocking_threads;
    start["max_blocking_threads"] = options.max_blocking_threads;
    start["blocking_timer_slack_us"] = options.blocking_timer_slack.count();
    auto process = std::make_shared<IsolatedProcess>(file, copy, json::serialize(start), options);
    json::object hello;
    if (!process->start_first(hello, r.error)) return r;

    std::shared_ptr<LoadedPlugin> p(new LoadedPlugin, [unloader](LoadedPlugin* dropped) {
        if (unloader) unloader(dropped);
        else delete dropped;
    });
    p->name = str(hello, "name");
    p->version = str(hello, "version");
    p->description = str(hello, "description");
    p->file = file;
    p->identity = id;
    p->loaded_at = std::chrono::system_clock::now();
    p->text_form = str(hello, "text_form") == "standard" ? TextForm::Standard : TextForm::Extended;
    for (const auto& mv : hello["methods"].as_array()) {
        const auto* mo = mv.if_object();
        if (!mo) continue;
        Method m;
        m.service = str(*mo, "service");
        m.name = str(*mo, "method");
        m.full_name = m.service + "." + m.name;
        m.args_schema_text = str(*mo, "args_schema");
        m.reply_schema_text = str(*mo, "reply_schema");
        auto args = parse_schema(m.args_schema_text);
        auto reply = parse_schema(m.reply_schema_text);
        if (!args.schema || !reply.schema) {
            r.error = m.full_name + ": its process sent a schema that does not parse";
            process->stop();
            return r;
        }
        m.args = args.schema;
        m.reply = reply.schema;
        // The proxy only writes to the channel: it never blocks a network
        // thread, whatever the method does in the child.
        const auto* flags = mo->if_contains("flags");
        m.flags = (flags && flags->is_int64() ? std::uint32_t(flags->get_int64()) : 0u) & ~PLRPC_METHOD_BLOCKING;
        m.args_form = p->text_form;
        m.handler = &IsolatedProcess::forward_call;
        p->methods.push_back(std::move(m));
    }
    process->adopt_methods(p->methods);
    for (std::size_t i = 0; i < p->methods.size(); ++i) p->methods[i].method_data = process->proxy(i);
    p->process = process;
    process->run_supervisor();
    r.plugin = std::move(p);
    return r;
}

} // namespace plugrpc::isolate
