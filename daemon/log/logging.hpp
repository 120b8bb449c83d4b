// Logging: a human format on a terminal; under journald (JOURNAL_STREAM names
// our stderr) every line carries its syslog priority as "<N>".
#pragma once

#include <string>

namespace plugrpc {

// Install the default logger. `level` is a config log level ("info", ...).
void setup_logging(const std::string& level);

} // namespace plugrpc
