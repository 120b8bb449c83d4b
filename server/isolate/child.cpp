#include "server/isolate/child.hpp"

#include "server/isolate/channel.hpp"
#include "server/plugin/loaded_plugin.hpp"
#include "server/rpc/call_table.hpp"
#include "server/rpc/dispatcher.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <plugrpc/json_write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <limits>
#include <poll.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

namespace plugrpc::isolate {
namespace json = boost::json;

namespace {

// Wait for the parent's Start frame (bounded: a parent that says nothing
// for 30 s is gone).
bool read_start(int fd, Reader& in, json::object& start) {
    for (int waited = 0; waited < 300; ++waited) {
        FrameHeader h{};
        std::string_view payload;
        if (in.next(h, payload)) {
            if (h.kind != FrameKind::Start) return false;
            boost::system::error_code ec;
            json::value v = json::parse(payload, ec);
            if (ec || !v.is_object()) return false;
            start = std::move(v.get_object());
            return true;
        }
        if (in.broken()) return false;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) < 0 && errno != EINTR) return false;
        if (p.revents) {
            Reader::Fill got = in.fill(fd);
            if (got == Reader::Fill::End || got == Reader::Fill::Failed) return false;
        }
    }
    return false;
}

std::string hello(const LoadedPlugin& p) {
    json::object o;
    o["name"] = p.name;
    o["version"] = p.version;
    o["description"] = p.description;
    o["text_form"] = p.text_form == TextForm::Extended ? "extended" : "standard";
    json::array methods;
    for (const auto& m : p.methods) {
        json::object mo;
        mo["service"] = m.service;
        mo["method"] = m.name;
        mo["args_schema"] = m.args_schema_text;
        mo["reply_schema"] = m.reply_schema_text;
        mo["flags"] = m.flags;
        methods.push_back(std::move(mo));
    }
    o["methods"] = std::move(methods);
    return json::serialize(o);
}

void send_hello_error(Writer& out, const std::string& why) {
    json::object o;
    o["error"] = why;
    FrameHeader h{};
    h.kind = FrameKind::Hello;
    out.send(h, json::serialize(o));
}

// The calls still waiting for their answers after their handler first
// ran, by the daemon's id for each, for a Cancel frame to find. Handles are
// kept, not calls: one whose call has ended is refused by the call table,
// and such entries are dropped once the map has doubled since the last
// time. Used on the reading thread only.
class WaitingCalls {
public:
    void add(std::uint64_t id, plrpc_call* handle) {
        if (!handle || !call_table::is_open(handle)) return; // answered at once: the usual case
        if (by_id_.size() >= prune_at_) {
            std::erase_if(by_id_, [](const auto& e) { return !call_table::is_open(e.second); });
            prune_at_ = std::max<std::size_t>(64, by_id_.size() * 2);
        }
        by_id_[id] = handle;
    }
    void cancel(std::uint64_t id) {
        auto it = by_id_.find(id);
        if (it == by_id_.end()) return; // answered already
        plrpc_call* handle = it->second;
        by_id_.erase(it);
        Dispatcher::cancel(handle, "its caller went away");
    }

private:
    std::unordered_map<std::uint64_t, plrpc_call*> by_id_;
    std::size_t prune_at_ = 64;
};

// A channel descriptor the plugin closed under this process: said once
// (the daemon logs it under the plugin's name).
void closed_under_us(int fd) {
    static std::atomic<bool> said{false};
    if (!said.exchange(true))
        std::fprintf(stderr, "E the channel to plugrpcd (descriptor %d) was closed in this process; exiting\n", fd);
}

// Beside the thread that waits in read() for calls, this one waits for the
// rest, none of which comes per call: answers from other threads left
// queued when the pipe was full (the writer signals `wake`; written here
// as the pipe takes them), and the answers' descriptor closed under this
// process (POLLNVAL), which ends it at once — the reading thread may wait
// for calls for good. Poll is not woken by space the answers pipe gains
// unless asked for it, nor by a close, which it sees when it looks again:
// at least once a second. The calls' descriptor is not watched: a poll
// holds the pipe it names open, and one that a plugin replaced (dup2) must
// close at once, so that the daemon's next write fails (EPIPE) and it
// restarts the process. Closed, it fails the reading thread's next read.
class ChannelWatch {
public:
    ChannelWatch(int answers, Writer& out, int wake)
        : answers_(answers), out_(out), wake_(wake), thread_([this] { run(); }) {}
    ~ChannelWatch() {
        stop_.store(true);
        std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
        thread_.join();
    }
    ChannelWatch(const ChannelWatch&) = delete;
    ChannelWatch& operator=(const ChannelWatch&) = delete;

private:
    void run() {
        int answers = answers_; // -1 once the daemon closed its end
        while (!stop_.load()) {
            pollfd p[2] = {{wake_, POLLIN, 0}, {answers, short(out_.pending() ? POLLOUT : 0), 0}};
            if (::poll(p, 2, 1000) < 0) {
                if (errno == EINTR) continue;
                return;
            }
            if (p[1].revents & POLLNVAL) {
                closed_under_us(answers);
                std::_Exit(1);
            }
            if (p[0].revents) {
                std::uint64_t n;
                [[maybe_unused]] auto r = ::read(wake_, &n, sizeof n);
            }
            if (p[1].revents & (POLLERR | POLLHUP)) answers = -1;
            if ((p[1].revents & POLLOUT) || p[0].revents) out_.flush();
        }
    }

    int answers_;
    Writer& out_;
    int wake_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

} // namespace

int serve_child(int calls, int answers) {
    ::fcntl(answers, F_SETFL, ::fcntl(answers, F_GETFL) | O_NONBLOCK);
    int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    // The writer signals efd when an answer from another thread is left
    // queued (the pipe full), so that ChannelWatch waits for the pipe to
    // take it. While the reading thread holds the writer (a batch),
    // answers only queue.
    Writer out(answers, ::fcntl(efd, F_DUPFD_CLOEXEC, 0));
    // This process's pid, the first frame: no plugin code has run yet, so
    // the plugin cannot name another process for the daemon to measure
    // its bounds on and to kill.
    FrameHeader worker{};
    worker.kind = FrameKind::Worker;
    worker.id = static_cast<std::uint64_t>(::getpid());
    out.send(worker, {});
    // Calls come from the daemon, as large as its max_message_bytes lets
    // in (up to 4 GiB): no bound of the channel's own on them.
    Reader in(std::numeric_limits<std::uint32_t>::max());
    json::object start;
    if (!read_start(calls, in, start)) return 1;
    std::string file = start.contains("file") && start["file"].is_string() ? std::string(start["file"].get_string()) : "";
    json::object configs; // every [plugin.<name>] table: the loader picks this plugin's by its name
    if (auto* c = start.if_contains("configs"); c && c->is_object()) configs = c->get_object();
    unsigned threads = 4, max_threads = 1024;
    if (auto* t = start.if_contains("blocking_threads"); t && t->is_int64()) threads = unsigned(t->get_int64());
    if (auto* t = start.if_contains("max_blocking_threads"); t && t->is_int64()) max_threads = unsigned(t->get_int64());
    std::chrono::microseconds timer_slack{0};
    if (auto* t = start.if_contains("blocking_timer_slack_us"); t && t->is_int64() && t->get_int64() >= 0)
        timer_slack = std::chrono::microseconds(t->get_int64());

    LoadResult loaded = load_plugin(file, configs);
    if (!loaded.plugin) {
        send_hello_error(out, loaded.error);
        while (out.pending() && out.flush()) {
            pollfd p{answers, POLLOUT, 0};
            ::poll(&p, 1, 100);
        }
        return 1;
    }
    auto registry = std::make_shared<Registry>();
    std::string error;
    registry->add_plugin(loaded.plugin, error);
    // The methods by the index the parent names them with: hello's order.
    std::vector<MethodPtr> methods;
    for (const auto& m : loaded.plugin->methods) methods.push_back(registry->find(m.full_name).method);
    std::string text = hello(*loaded.plugin);
    loaded.plugin.reset();

    int rc = 0;
    {
        Dispatcher dispatcher(threads, max_threads, timer_slack);
        dispatcher.publish(registry);
        FrameHeader h{};
        h.kind = FrameKind::Hello;
        out.send(h, text);
        // Calls are waited for in read() itself: one system call per
        // batch the daemon writes, not a poll() and a read().
        ::fcntl(calls, F_SETFL, ::fcntl(calls, F_GETFL) & ~O_NONBLOCK);
        ChannelWatch watch(answers, out, efd);
        WaitingCalls waiting;
        for (;;) {
            Reader::Fill got = in.fill(calls);
            if (got == Reader::Fill::Nothing) { // made non-blocking under it: wait, do not spin
                pollfd p{calls, POLLIN, 0};
                ::poll(&p, 1, -1);
                continue;
            }
            if (got == Reader::Fill::Failed && errno == EBADF) { // closed under it by the plugin
                closed_under_us(calls);
                rc = 1;
                break;
            }
            if (got != Reader::Fill::Read) break; // the parent closed the channel (or it failed): stop
            FrameHeader f{};
            std::string_view payload;
            out.hold(); // the answers of this batch in one write
            while (in.next(f, payload)) {
                if (f.kind == FrameKind::Cancel) {
                    waiting.cancel(f.id);
                    continue;
                }
                if (f.kind != FrameKind::Call || f.method >= methods.size()) continue;
                std::uint64_t id = f.id;
                Writer* w = &out;
                const std::string* name = &methods[f.method]->full_name;
                Call* c = dispatcher.prepare(methods[f.method], [w, id, name](Outcome&& o) {
                    FrameHeader r{};
                    r.kind = FrameKind::Reply;
                    r.status = static_cast<std::uint8_t>(o.kind);
                    r.id = id;
                    if (!o.ok()) return void(w->send(r, o.error));
                    std::string reply;
                    append_json_text(reply, o.result, TextForm::Extended);
                    // Written out, a reply may be larger than the plugin's
                    // text (a byte that is not UTF-8 becomes \udcXX): past
                    // what the daemon takes, it is refused here, as the
                    // daemon would take a larger frame for a broken stream.
                    if (reply.size() > kMaxFramePayload) {
                        r.status = static_cast<std::uint8_t>(Outcome::Kind::Internal);
                        return void(w->send(r, *name + ": reply larger than " + std::to_string(kMaxFramePayload) +
                                                   " bytes once written for plugrpcd"));
                    }
                    w->send(r, reply);
                });
                c->set_args_text(payload);
                // The daemon's deadline, whatever the call waits here before it starts.
                c->deadline_at_ns = f.deadline_ns;
                waiting.add(id, dispatcher.start(c));
            }
            // A full pipe keeps the rest queued, signalled to the watch.
            if (!out.release() && out.failed()) {
                if (::fcntl(answers, F_GETFD) < 0 && errno == EBADF) { // closed under it by the plugin
                    closed_under_us(answers);
                    rc = 1;
                }
                break; // else the daemon is gone
            }
            if (in.broken()) {
                rc = 1;
                break;
            }
        }
        out.close();
        dispatcher.join();
    }
    registry.reset(); // the plugin's shutdown runs here
    ::close(efd);
    return rc;
}

} // namespace plugrpc::isolate
