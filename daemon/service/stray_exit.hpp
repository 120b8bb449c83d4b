// An exit() that is not the daemon's own.
//
// A plugin loaded into the daemon that calls exit() (a library's fatal-error
// path, a port of a command-line tool) ends the whole daemon, and exit(0)
// is a success: the unit's Restart=on-failure would not start it again, and
// one plugin would have taken the service down for good. While the daemon
// runs, an exit() it did not make itself is turned into a failure: a line
// on standard error (the journal) and status 70 (sysexits' EX_SOFTWARE),
// which the service manager restarts. Only exit() can be caught this way:
// a plugin's _exit() or quick_exit() ends the process with the status it
// gives.
#pragma once

namespace plugrpc {

// Exit status of a stray exit().
inline constexpr int kStrayExitStatus = 70;

// From now on an exit() is a stray one (call once the daemon starts to load
// plugins). Its handler runs after those registered later (a plugin's own,
// its static objects' destructors), before those registered earlier.
void guard_stray_exit();

// From now on exit() is the daemon's own again (its stop has begun).
void allow_exit();

} // namespace plugrpc
