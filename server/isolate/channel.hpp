// The channel between plugrpcd and an isolated plugin's child process: a
// pipe each way (spawn.hpp), length-prefixed binary frames, many calls in
// flight at once and answered in any order. Both ends are non-blocking.
//
//   parent -> child  Start  {JSON: the plugin file, its config, pool sizes}
//                    Call   {id, method index, deadline, argument text}
//                    Cancel {id: the call's caller went away; the child
//                            ends it as cancelled if it still waits}
//   child -> parent  Worker {id: the pid of the process the plugin runs
//                            in, first, before any plugin code has run}
//                    Hello  {JSON: the plugin's name, version, methods}
//                    Reply  {id, outcome kind, reply text or error text}
//
// Writers on any thread append to one buffer under a lock and the thread
// that finds the pipe idle writes it out: under load one write() carries
// many frames, and a writer never waits for the peer (what the pipe
// does not take stays queued, bounded by `max_queued`: a frame is queued
// while less than that waits, however large it is, so a call as large as
// max_message_bytes lets in crosses). Reading parses as many frames as one
// read() brought.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

namespace plugrpc::isolate {

enum class FrameKind : std::uint8_t { Call = 1, Hello = 2, Reply = 3, Start = 4, Worker = 5, Cancel = 6 };

// Laid out by alignment, with no packing: a header copied out of the
// stream is an ordinary object whose members may be bound to references.
struct FrameHeader {
    std::uint64_t id;         // Call, Reply, Cancel: the parent's name for the call
    std::int64_t deadline_ns; // Call: when its deadline falls, 0 for none
                              // (CLOCK_MONOTONIC, steady_clock in both
                              // processes: one machine, one clock)
    std::uint32_t size;      // bytes after this header
    std::uint32_t method;    // Call: index in the Hello's method list
    FrameKind kind;
    std::uint8_t status;     // Reply: an Outcome::Kind
    std::uint16_t reserved;
    std::uint32_t padding;   // the size stays a multiple of 8, every byte defined
};
static_assert(sizeof(FrameHeader) == 32);

// What the daemon takes from a child: a payload this large at most (a
// reply's limit is 64 MiB; the child refuses to send a larger one). The
// child takes calls as large as the daemon's max_message_bytes lets in.
inline constexpr std::uint32_t kMaxFramePayload = (64u << 20) + 4096;
// What any frame can carry: its size is 32 bits.
inline constexpr std::size_t kMaxPayload = 0xffffffffu;
// A writer's queue or a reader's buffer that grew past this for a large
// frame gives the memory back once it is empty again.
inline constexpr std::size_t kKeptBuffer = 1u << 20;

class Writer {
public:
    // `wake` (owned; may be -1): an eventfd signalled when bytes are left
    // queued after a write, so that the reading thread waits for the pipe
    // to take them.
    explicit Writer(int fd, int wake = -1, std::size_t max_queued = 256u << 20)
        : fd_(fd), wake_(wake), max_queued_(max_queued) {}
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // Queue a frame and, with `now`, write what the pipe takes now (else
    // a flush() the caller arranges writes it). False when `max_queued`
    // bytes or more wait already, the channel is closed, or the payload is
    // larger than kMaxPayload.
    bool send(const FrameHeader& h, std::string_view payload, bool now = true);
    // Write what is queued (the reader's thread, when the pipe is writable).
    // False when the pipe failed (the reader is gone).
    bool flush();
    bool pending() const;
    // A write failed (the reader is gone: EPIPE): nothing more goes out.
    bool failed() const { return failed_.load(std::memory_order_relaxed); }
    void close();
    // While held, send() only queues: the reader's thread holds the
    // writer while it runs a batch of calls, and the answers they give go
    // out together at release() (answers from other threads too).
    void hold() { held_.store(true, std::memory_order_relaxed); }
    bool release() {
        held_.store(false, std::memory_order_relaxed);
        return flush();
    }
    // The memory the queue holds (for tests).
    std::size_t capacity() const;

private:
    bool write_locked();
    void empty_locked();
    void signal_pending();
    int fd_;
    int wake_;
    std::size_t max_queued_;
    mutable std::mutex mu_;
    std::string out_;
    std::size_t sent_ = 0; // bytes of out_ already written
    bool closed_ = false;
    std::atomic<bool> failed_{false};
    std::atomic<bool> held_{false};
};

// Frames out of the bytes a pipe gives.
class Reader {
public:
    // A frame announcing a payload over `max_payload` breaks the stream.
    explicit Reader(std::uint32_t max_payload = kMaxFramePayload) : max_payload_(max_payload) {}
    // What one read() into the buffer gave.
    enum class Fill {
        Read,    // bytes
        Nothing, // none there now (EAGAIN: the descriptor is non-blocking)
        End,     // the peer closed
        Failed,  // errno says why
    };
    Fill fill(int fd);
    // For reads made by someone else (an asynchronous read): the room to
    // read into (64 KiB at least), then commit() the bytes it took.
    std::span<char> room();
    void commit(std::size_t n);
    // The next complete frame in the buffer, or false. `payload` is valid
    // until the next fill().
    bool next(FrameHeader& h, std::string_view& payload);
    // True when a frame announced a payload over the bound.
    bool broken() const { return broken_; }
    // The memory the buffer holds (for tests).
    std::size_t capacity() const { return buf_.size(); }

private:
    std::uint32_t max_payload_;
    std::string buf_;
    std::size_t begin_ = 0, end_ = 0;
    bool broken_ = false;
};

} // namespace plugrpc::isolate
