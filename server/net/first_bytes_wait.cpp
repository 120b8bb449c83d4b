#include "server/net/first_bytes_wait.hpp"

#include <spdlog/spdlog.h>

namespace plugrpc {

void FirstBytesWait::gave_up(bool stopping) {
    if (stopping) {
        spdlog::info("{}: {} within {}s of the stop; closing", peer_, missing_, kNewConnectionGrace.count());
        return;
    }
    spdlog::info("{}: {} within the header timeout; closing", peer_, missing_);
    counters_.limit(LimitKind::HeaderTimeout);
}

} // namespace plugrpc
