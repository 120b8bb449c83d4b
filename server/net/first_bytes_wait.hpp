// The wait for a connection's first bytes, before anything of the client's
// has been read: its protocol (the sniffer), a PROXY v2 header (the PROXY
// front), a TLS handshake (the TLS front). It lasts the header_timeout;
// once a stop has begun, kNewConnectionGrace at most (the connection was
// accepted, its client may be sending at that moment). A connection still
// silent then is closed and logged, and counted as a header_timeout unless
// the stop cut the wait.
#pragma once

#include "server/net/context.hpp"

#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <string_view>
#include <utility>

namespace plugrpc {

class FirstBytesWait {
public:
    FirstBytesWait(const boost::asio::any_io_executor& executor, DaemonCounters& counters)
        : timer_(executor), counters_(counters) {}

    // Wait `wait` for `peer`'s first bytes. If the wait runs out (it was
    // not cancelled or set again), `give_up()` runs: it closes the
    // connection and returns true, or returns false when the bytes came
    // meanwhile. A connection given up on is logged as "`peer`: `missing`
    // within ...". `peer` is the owner's (this is a member of it, and
    // `give_up` holds the owner while a wait runs); `missing` a literal.
    using GiveUp = std::function<bool()>;
    void start(std::chrono::steady_clock::duration wait, std::string_view peer, const char* missing, GiveUp give_up) {
        peer_ = peer;
        missing_ = missing;
        arm(wait, false, std::move(give_up));
    }
    // A stop began: cut the wait to kNewConnectionGrace, unless it ends sooner.
    void stop_began(GiveUp give_up) {
        if (timer_.expiry() <= std::chrono::steady_clock::now() + kNewConnectionGrace) return;
        arm(kNewConnectionGrace, true, std::move(give_up));
    }
    void cancel() { timer_.cancel(); }

private:
    // `give_up` holds its owner, and so this, alive until the wait ends.
    void arm(std::chrono::steady_clock::duration wait, bool stopping, GiveUp give_up) {
        timer_.expires_after(wait); // cancels a wait already set: its handler sees operation_aborted
        timer_.async_wait([this, stopping, give_up = std::move(give_up)](boost::system::error_code ec) mutable {
            if (!ec && give_up()) gave_up(stopping);
        });
    }
    void gave_up(bool stopping);

    boost::asio::steady_timer timer_;
    DaemonCounters& counters_;
    std::string_view peer_;
    const char* missing_ = "";
};

} // namespace plugrpc
