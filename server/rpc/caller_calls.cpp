#include "server/rpc/caller_calls.hpp"

#include "server/rpc/call_table.hpp"
#include "server/rpc/dispatcher.hpp"

#include <algorithm>
#include <utility>

namespace plugrpc {

namespace {
constinit thread_local CallerCalls* t_current = nullptr;
} // namespace

CallerCalls::Scope::Scope(CallerCalls& calls) noexcept : outer_(std::exchange(t_current, &calls)) {}
CallerCalls::Scope::~Scope() { t_current = outer_; }

CallerCalls* CallerCalls::current() noexcept { return t_current; }

void CallerCalls::add(plrpc_call* handle) {
    if (handles_.size() >= prune_at_) prune();
    handles_.push_back(handle);
}

void CallerCalls::prune() {
    std::erase_if(handles_, [](plrpc_call* h) { return !call_table::is_open(h); });
    prune_at_ = std::max<std::size_t>(32, handles_.size() * 2);
}

std::size_t CallerCalls::cancel_all(std::string_view why) {
    // Taken out first: a completion run by a cancel may start calls (it
    // cannot for a caller that is gone, but nothing here relies on that).
    std::vector<plrpc_call*> handles;
    handles.swap(handles_);
    prune_at_ = 32;
    std::size_t ended = 0;
    for (plrpc_call* h : handles)
        if (Dispatcher::cancel(h, why)) ++ended;
    return ended;
}

} // namespace plugrpc
