// The calls one caller (a connection) is waiting for, so that they can be
// cancelled when it goes away.
//
// A session owns one and opens a Scope around the code that dispatches its
// requests. The dispatcher adds to the open scope's set every call started
// there that does not end while its handler first runs: a blocking call
// (queued for the pool) or one whose handler returned PLRPC_PENDING. A call
// answered at once, the usual case, costs nothing here.
//
// Handles are kept, not calls: a handle whose call has ended since is
// refused by the call table (server/rpc/call_table.hpp), so the set needs
// no word when a call ends. It drops such handles when it has doubled since
// it last did, which keeps it within twice the calls waiting.
//
// Used on the session's own thread only.
#pragma once

#include <plugrpc/abi.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace plugrpc {

class CallerCalls {
public:
    // While open, the calls this thread starts that outlive their first run
    // are `calls`'s. Scopes nest; the innermost one counts.
    class Scope {
    public:
        explicit Scope(CallerCalls& calls) noexcept;
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        CallerCalls* outer_;
    };

    // The set of the scope open on this thread; null when none is.
    static CallerCalls* current() noexcept;

    void add(plrpc_call* handle);

    // The caller went away (`why`: "its connection closed"): every call of
    // its still waiting ends as Cancelled, so its plugin reads
    // call_cancelled() == 1, its answer is refused, and it no longer counts
    // against any limit. Returns how many ended.
    std::size_t cancel_all(std::string_view why);

    // Handles held (tests: the set stays bounded).
    std::size_t held() const { return handles_.size(); }

private:
    void prune();

    std::vector<plrpc_call*> handles_;
    std::size_t prune_at_ = 32;
};

} // namespace plugrpc
