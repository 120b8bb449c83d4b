#include "server/isolate/channel.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace plugrpc::isolate {

Writer::~Writer() {
    if (wake_ >= 0) ::close(wake_);
}

void Writer::signal_pending() {
    if (wake_ < 0 || sent_ == out_.size()) return;
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
}

bool Writer::send(const FrameHeader& h, std::string_view payload, bool now) {
    if (payload.size() > kMaxPayload) return false;
    FrameHeader head = h;
    head.size = static_cast<std::uint32_t>(payload.size());
    std::lock_guard lock(mu_);
    if (closed_ || out_.size() - sent_ >= max_queued_) return false;
    if (sent_ > 0 && sent_ == out_.size()) empty_locked();
    out_.append(reinterpret_cast<const char*>(&head), sizeof head);
    out_.append(payload);
    if (!now || held_.load(std::memory_order_relaxed)) return true;
    bool ok = write_locked();
    signal_pending();
    return ok;
}

bool Writer::write_locked() {
    while (sent_ < out_.size()) {
        ssize_t n = ::write(fd_, out_.data() + sent_, out_.size() - sent_);
        if (n > 0) {
            sent_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        closed_ = true;
        failed_.store(true, std::memory_order_relaxed); // signal_pending() tells the reading thread
        return false;
    }
    if (sent_ == out_.size()) {
        empty_locked();
    } else if (sent_ > (1u << 20)) {
        out_.erase(0, sent_);
        sent_ = 0;
    }
    return true;
}

void Writer::empty_locked() {
    out_.clear();
    sent_ = 0;
    if (out_.capacity() > kKeptBuffer) out_.shrink_to_fit();
}

std::size_t Writer::capacity() const {
    std::lock_guard lock(mu_);
    return out_.capacity();
}

bool Writer::flush() {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    bool ok = write_locked();
    signal_pending();
    return ok;
}

bool Writer::pending() const {
    std::lock_guard lock(mu_);
    return sent_ < out_.size();
}

void Writer::close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    empty_locked();
}

std::span<char> Reader::room() {
    if (begin_ == end_) {
        begin_ = end_ = 0;
        if (buf_.size() > kKeptBuffer) std::string().swap(buf_); // grown for a large frame
    }
    if (begin_ > 0 && buf_.size() - end_ < (64u << 10)) { // move what is left to the front
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (buf_.size() - end_ < (64u << 10)) buf_.resize(std::max<std::size_t>(buf_.size() * 2, 256u << 10));
    return {buf_.data() + end_, buf_.size() - end_};
}

void Reader::commit(std::size_t n) { end_ += n; }

Reader::Fill Reader::fill(int fd) {
    std::span<char> into = room();
    for (;;) {
        ssize_t n = ::read(fd, into.data(), into.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? Fill::Nothing : Fill::Failed;
        if (n == 0) return Fill::End;
        commit(static_cast<std::size_t>(n));
        return Fill::Read;
    }
}

bool Reader::next(FrameHeader& h, std::string_view& payload) {
    if (end_ - begin_ < sizeof h) return false;
    std::memcpy(&h, buf_.data() + begin_, sizeof h);
    if (h.size > max_payload_) {
        broken_ = true;
        return false;
    }
    std::size_t whole = sizeof h + h.size;
    if (end_ - begin_ < whole) {
        if (buf_.size() - begin_ < whole) { // make room for the whole frame
            std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
            if (buf_.size() < whole + (64u << 10)) buf_.resize(whole + (64u << 10));
        }
        return false;
    }
    payload = std::string_view(buf_.data() + begin_ + sizeof h, h.size);
    begin_ += whole;
    return true;
}

} // namespace plugrpc::isolate
