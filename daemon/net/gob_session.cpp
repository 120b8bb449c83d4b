// Placeholder until the gob codec lands: see issue [2/6].
#include "net/connection.hpp"

#include <spdlog/spdlog.h>

namespace plugrpc {

void start_gob_session(Connection conn, ReadBuffer) {
    spdlog::debug("{}: gob is not served yet; closing", conn.peer);
    boost::system::error_code ignored;
    conn.socket.close(ignored);
}

} // namespace plugrpc
