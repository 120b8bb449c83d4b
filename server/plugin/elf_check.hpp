// Is this file a whole ELF shared object? A plugin copied into a folder is
// refused while its copy is unfinished: its section header table, which
// linkers put at the end, must lie inside the file, and so must every
// loadable segment. (Mapping a truncated object crashes on first touch.)
#pragma once

#include <string>

namespace plugrpc {

// True if complete; otherwise false with the reason.
bool elf_complete(int fd, std::string& why);

} // namespace plugrpc
