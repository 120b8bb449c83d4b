#include "server/net/loop_pulse.hpp"

#include <boost/asio/post.hpp>

#include <cstdio>

namespace plugrpc {
namespace {

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string seconds(std::int64_t ns) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", double(ns) * 1e-9);
    return text;
}

} // namespace

LoopPulse::LoopPulse(std::chrono::milliseconds period, std::chrono::milliseconds stuck_after)
    : period_(period), stuck_after_(stuck_after) {}

LoopPulse::~LoopPulse() = default;

void LoopPulse::stop() {
    started_.store(false);
    timer_.reset();
}

void LoopPulse::start(std::vector<boost::asio::io_context*> loops) {
    if (loops.empty() || started_.load() || timer_) return;
    loops_ = std::move(loops);
    beats_ = std::make_unique<Beat[]>(loops_.size());
    std::int64_t now = now_ns();
    for (std::size_t i = 0; i < loops_.size(); ++i) beats_[i].answered.store(now);
    ticked_.store(now);
    timer_ = std::make_unique<boost::asio::steady_timer>(*loops_[0]);
    started_.store(true);
    tick();
}

void LoopPulse::tick() {
    std::int64_t now = now_ns();
    ticked_.store(now);
    for (std::size_t i = 0; i < loops_.size(); ++i) {
        Beat& b = beats_[i];
        if (b.sent.load() > b.answered.load()) continue; // the last one is still on its way
        b.sent.store(now);
        boost::asio::post(*loops_[i], [&b] { b.answered.store(now_ns()); });
    }
    timer_->expires_after(period_);
    timer_->async_wait([this](boost::system::error_code ec) {
        if (!ec) tick();
    });
}

std::string LoopPulse::stuck() const {
    if (!started_.load()) return {};
    std::int64_t now = now_ns();
    std::int64_t limit = std::chrono::nanoseconds(stuck_after_).count();
    if (std::int64_t late = now - ticked_.load() - std::chrono::nanoseconds(period_).count(); late > limit)
        return "network thread 0 (control) has not run a handler for " + seconds(late);
    for (std::size_t i = 0; i < loops_.size(); ++i) {
        std::int64_t sent = beats_[i].sent.load(), answered = beats_[i].answered.load();
        if (sent > answered && now - sent > limit)
            return "network thread " + std::to_string(i) + (i == 0 ? " (control)" : "") +
                   " has not run a handler for " + seconds(now - sent);
    }
    return {};
}

} // namespace plugrpc
