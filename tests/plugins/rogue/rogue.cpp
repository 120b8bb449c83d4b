// Rogue: a test plugin written in C++ against the bare C ABI (no SDK), each
// of whose methods breaks the contract in one way a real plugin might:
//
//   Rogue.Twice({Millis})           returns PENDING; its own thread answers
//                                   after Millis, then answers again, then
//                                   uses the argument and reply helpers
//   Rogue.ErrorThenAnswer({Millis}) returns PLRPC_ERROR without answering;
//                                   its own thread answers after Millis
//   Rogue.Throw / Rogue.ThrowInt    throw through the C ABI
//   Rogue.Never                     returns PENDING and never answers
//   Rogue.Late({Millis})            returns PENDING; answers after Millis
//   Rogue.Watch({Millis})           returns PENDING; its thread reads the
//                                   time left and polls call_cancelled
//                                   until the call ends (at most Millis),
//                                   then answers anyway
//   Rogue.Codes                     what the host's functions returned to
//                                   the late and repeated answers so far,
//                                   as "name=code" words
//   Rogue.Segv / Rogue.Abort        dereference NULL / call abort(): the
//                                   process dies (run it isolated)
//   Rogue.Alloc({Millis})           keeps Millis MiB more, touched, and
//                                   answers how many MiB it holds
//   Rogue.Spin({Millis})            busy for Millis ms on the calling thread
//   Rogue.Scribble({Millis})        writes on descriptor 3 (an isolated
//                                   process's channel to the daemon) a
//                                   frame header announcing 4 GiB (Millis
//                                   0), or an empty frame that is not an
//                                   answer (Millis 1: a hello; 2: a pid
//                                   for the daemon to take as the process
//                                   the plugin runs in, its parent's);
//                                   never answers (run it isolated)
//   Rogue.CloseChannel({Millis})    closes descriptor 3 (Millis 0; an
//                                   isolated process's answers to the
//                                   daemon) or 5 (Millis 5: the daemon's
//                                   calls to it) and never answers (run it
//                                   isolated)
//   Rogue.StopReading               puts a pipe nobody writes to on
//                                   descriptor 5 (an isolated process's
//                                   calls), answers 1 and lives on
//   Rogue.NonBlocking               sets O_NONBLOCK on descriptor 5 (an
//                                   isolated process's calls) and answers 1
//   Rogue.Exit                      calls exit(0)
//   Rogue.BadBytes({Millis})        answers a string of Millis MiB of the
//                                   byte 0xff, which is not UTF-8 (the
//                                   extended form lets a reply hold it)
//   Rogue.Shout({Millis})           prints Millis hundred lines on stderr,
//                                   as fast as it can, and answers how many
//   Rogue.Ansi                      prints a line holding a terminal's
//                                   escape sequences, a bell and a CR
//   Rogue.Spawn({Millis})           starts /bin/sleep 600 (fork, exec) and
//                                   answers its pid; Millis 1: as a daemon
//                                   does (setsid, a second fork, the child
//                                   between exits)
//
// Every thread it starts is joined by its shutdown.
#include <plugrpc/abi.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

const plrpc_host_v1* host;
std::mutex mu;
std::vector<std::thread> threads;
std::string codes;

void record(const std::string& name, long long code) {
    std::lock_guard lock(mu);
    codes += (codes.empty() ? "" : " ") + name + "=" + std::to_string(code);
}

template <class F>
void spawn(F&& f) {
    std::lock_guard lock(mu);
    threads.emplace_back(std::forward<F>(f));
}

void sleep_ms(std::int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

std::int64_t millis(plrpc_call* call) {
    std::int64_t ms = 0;
    host->arg_int(call, "Millis", &ms);
    return ms < 0 ? 0 : ms > 10000 ? 10000 : ms;
}

int reply(plrpc_call* call, const std::string& text) { return host->reply_json(call, text.data(), text.size()); }

int twice(void*, plrpc_call* call, const char*, size_t) {
    std::int64_t ms = millis(call);
    spawn([call, ms] {
        sleep_ms(ms);
        record("twice.first", reply(call, "1"));
        record("twice.second", reply(call, "2"));
        record("twice.error", host->reply_error(call, "late", 4));
        std::int64_t v = 0;
        record("twice.arg_int", host->arg_int(call, "Millis", &v));
        const char* s = nullptr;
        size_t n = 0;
        record("twice.arg_string", host->arg_string(call, "Millis", &s, &n));
        record("twice.set_int", host->set_int(call, nullptr, 3));
        record("twice.reply_fields", host->reply_fields(call));
    });
    return PLRPC_PENDING;
}

int exit_now(void*, plrpc_call*, const char*, size_t) { std::exit(0); }

int spawn_sleep(void*, plrpc_call* call, const char*, size_t) {
    // Millis 1: as a daemon starts, in a session of its own, by a child
    // that exits at once (the sleep is then nobody's child here).
    bool detached = millis(call) == 1;
    // Answered once the program runs: the pipe's write end closes at exec
    // (and, detached, when the child between exits, having sent its pid).
    int ran[2];
    if (::pipe2(ran, O_CLOEXEC) != 0) return host->reply_error(call, "pipe failed", 11), PLRPC_OK;
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(ran[0]);
        if (detached) {
            ::setsid();
            pid_t sleeper = ::fork();
            if (sleeper != 0) {
                [[maybe_unused]] auto n = ::write(ran[1], &sleeper, sizeof sleeper);
                ::_exit(0);
            }
        }
        ::execl("/bin/sleep", "sleep", "600", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(ran[1]);
    pid_t shown = pid;
    if (detached && pid > 0) {
        shown = -1;
        while (::read(ran[0], &shown, sizeof shown) < 0 && errno == EINTR) {
        }
        ::waitpid(pid, nullptr, 0);
    }
    char byte;
    while (::read(ran[0], &byte, 1) < 0 && errno == EINTR) {
    }
    ::close(ran[0]);
    if (pid < 0 || shown <= 0) return host->reply_error(call, "fork failed", 11), PLRPC_OK;
    return reply(call, std::to_string(shown)), PLRPC_OK;
}

int shout(void*, plrpc_call* call, const char*, size_t) {
    std::int64_t lines = millis(call) * 100;
    for (std::int64_t i = 0; i < lines; ++i) std::fprintf(stderr, "rogue shout %lld\n", static_cast<long long>(i));
    std::fflush(stderr);
    return reply(call, std::to_string(lines)), PLRPC_OK;
}

int ansi(void*, plrpc_call* call, const char*, size_t) {
    std::fprintf(stderr, "rogue \x1b[31mred\x1b[0m bell\a cr\r tab\t end\n");
    std::fflush(stderr);
    return reply(call, "1"), PLRPC_OK;
}

int close_channel(void*, plrpc_call* call, const char*, size_t) {
    ::close(millis(call) == 5 ? 5 : 3);
    return PLRPC_PENDING;
}

// Descriptor 5 (an isolated process's calls from the daemon) replaced by
// a pipe nobody writes to: the process lives on and never sees another
// call, and the daemon's writes find no reader.
int stop_reading(void*, plrpc_call* call, const char*, size_t) {
    int quiet[2];
    if (::pipe(quiet) != 0 || ::dup2(quiet[0], 5) < 0) return host->reply_error(call, "pipe failed", 11), PLRPC_OK;
    ::close(quiet[0]); // quiet[1] stays open: no end of file either
    return reply(call, "1"), PLRPC_OK;
}

// The calls' descriptor made non-blocking under the process's reader.
int non_blocking(void*, plrpc_call* call, const char*, size_t) {
    ::fcntl(5, F_SETFL, ::fcntl(5, F_GETFL) | O_NONBLOCK);
    return reply(call, "1"), PLRPC_OK;
}

int error_then_answer(void*, plrpc_call* call, const char*, size_t) {
    std::int64_t ms = millis(call);
    spawn([call, ms] {
        sleep_ms(ms);
        record("error_then_answer", reply(call, "7"));
    });
    return PLRPC_ERROR;
}

int throw_runtime(void*, plrpc_call*, const char*, size_t) { throw std::runtime_error("rogue: thrown on purpose"); }

int throw_int(void*, plrpc_call*, const char*, size_t) { throw 42; }

int never(void*, plrpc_call*, const char*, size_t) { return PLRPC_PENDING; }

int late(void*, plrpc_call* call, const char*, size_t) {
    std::int64_t ms = millis(call);
    spawn([call, ms] {
        sleep_ms(ms);
        record("late", reply(call, std::to_string(ms)));
    });
    return PLRPC_PENDING;
}

#if PLRPC_ABI_MINOR >= 1
bool has_lifetime_api() {
    return host->struct_size >= offsetof(plrpc_host_v1, call_cancelled) + sizeof(host->call_cancelled);
}

int watch(void*, plrpc_call* call, const char*, size_t) {
    std::int64_t ms = millis(call);
    if (!has_lifetime_api()) return host->reply_error(call, "host ABI 1.0", 12), PLRPC_OK;
    spawn([call, ms] {
        std::int64_t left = -1;
        record("watch.remaining_rc", host->call_remaining(call, &left));
        record("watch.remaining_ms", left == INT64_MAX ? -1 : left / 1000000);
        auto start = std::chrono::steady_clock::now();
        int cancelled = 0;
        while (!(cancelled = host->call_cancelled(call)) &&
               std::chrono::steady_clock::now() - start < std::chrono::milliseconds(ms))
            sleep_ms(5);
        record("watch.cancelled", cancelled);
        record("watch.after_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - start).count());
        record("watch.remaining_after_rc", host->call_remaining(call, &left));
        record("watch.answer", reply(call, "1"));
    });
    return PLRPC_PENDING;
}
#else
int watch(void*, plrpc_call* call, const char*, size_t) {
    return host->reply_error(call, "built for ABI 1.0", 17), PLRPC_OK;
}
#endif

int segv(void*, plrpc_call*, const char*, size_t) {
    volatile int* volatile nowhere = nullptr;
    *nowhere = 1;
    return PLRPC_ERROR;
}

int abort_now(void*, plrpc_call*, const char*, size_t) { std::abort(); }

int scribble(void*, plrpc_call* call, const char*, size_t) {
    std::int64_t variant = millis(call);
    bool huge = variant == 0;
    unsigned char frame[32] = {};                   // the channel's frame header (server/isolate/channel.hpp)
    std::uint32_t size = huge ? 0xfffffff0u : 0u;   // its payload size: over any bound, or none
    std::memcpy(frame + 16, &size, sizeof size);
    frame[24] = huge ? 3 : variant == 1 ? 2 : 5; // a reply, a hello, or a worker's pid
    std::uint64_t other = static_cast<std::uint64_t>(::getppid()); // its id: not this process
    if (variant == 2) std::memcpy(frame, &other, sizeof other);
    [[maybe_unused]] auto n = ::write(3, frame, sizeof frame);
    return PLRPC_PENDING;
}

std::vector<std::unique_ptr<char[]>> held; // guarded by mu

int alloc(void*, plrpc_call* call, const char*, size_t) {
    std::int64_t mib = millis(call);
    std::size_t count = 0;
    for (std::int64_t i = 0; i < mib; ++i) {
        std::unique_ptr<char[]> block(new char[1u << 20]);
        std::memset(block.get(), 1, 1u << 20);
        std::lock_guard lock(mu);
        held.push_back(std::move(block));
    }
    {
        std::lock_guard lock(mu);
        count = held.size();
    }
    return reply(call, std::to_string(count)), PLRPC_OK;
}

int spin(void*, plrpc_call* call, const char*, size_t) {
    std::int64_t ms = millis(call);
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
    }
    return reply(call, std::to_string(ms)), PLRPC_OK;
}

int bad_bytes(void*, plrpc_call* call, const char*, size_t) {
    std::string text = "\"" + std::string(std::size_t(millis(call)) << 20, '\xff') + "\"";
    host->reply_json(call, text.data(), text.size());
    return PLRPC_OK;
}

int get_codes(void*, plrpc_call* call, const char*, size_t) {
    std::string text;
    {
        std::lock_guard lock(mu);
        text = "\"" + codes + "\"";
    }
    host->reply_json(call, text.data(), text.size());
    return PLRPC_OK;
}

const char* const kMillis = R"({"type":"object","title":"MillisArgs","properties":{"Millis":{"type":"integer","format":"int64"}}})";
const char* const kInt = R"({"type":"integer","format":"int64"})";
const char* const kString = R"({"type":"string"})";

int add(plrpc_registrar* reg, const char* name, plrpc_handler_fn fn, const char* reply_schema = kInt,
        std::uint32_t flags = 0) {
    plrpc_method_def def;
    std::memset(&def, 0, sizeof def);
    def.struct_size = sizeof def;
    def.service = "Rogue";
    def.method = name;
    def.args_schema = kMillis;
    def.reply_schema = reply_schema;
    def.flags = flags;
    def.handler = fn;
    return host->register_method(reg, &def);
}

int init(const plrpc_host_v1* h, plrpc_registrar* reg, const char*, size_t, char*, size_t) {
    host = h;
    int rc = PLRPC_OK;
    for (int r : {add(reg, "Twice", twice), add(reg, "ErrorThenAnswer", error_then_answer),
                  add(reg, "Throw", throw_runtime), add(reg, "ThrowInt", throw_int), add(reg, "Never", never),
                  add(reg, "Late", late), add(reg, "Watch", watch), add(reg, "Codes", get_codes, kString), add(reg, "Segv", segv), add(reg, "Abort", abort_now),
                  add(reg, "Alloc", alloc), add(reg, "Spin", spin), add(reg, "Scribble", scribble),
                  add(reg, "CloseChannel", close_channel), add(reg, "Exit", exit_now),
                  add(reg, "Spawn", spawn_sleep), add(reg, "Shout", shout), add(reg, "Ansi", ansi), add(reg, "StopReading", stop_reading),
                  add(reg, "NonBlocking", non_blocking), add(reg, "BadBytes", bad_bytes, kString)})
        if (r != PLRPC_OK) rc = r;
    return rc;
}

void shutdown_plugin(void*) {
    std::vector<std::thread> all;
    {
        std::lock_guard lock(mu);
        all.swap(threads);
    }
    for (auto& t : all) t.join();
}

} // namespace

extern "C" PLRPC_EXPORT const plrpc_plugin_v1 plugrpc_plugin_v1 = {
    PLRPC_MAGIC, PLRPC_ABI_MAJOR, PLRPC_ABI_MINOR, sizeof(plrpc_plugin_v1),
    "rogue", "1.0.0", "Test service: Rogue.* break the plugin contract on purpose",
    init, shutdown_plugin,
};
