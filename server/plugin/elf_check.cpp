#include "server/plugin/elf_check.hpp"

#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace plugrpc {

bool elf_complete(int fd, std::string& why) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) return why = std::strerror(errno), false;
    auto size = static_cast<std::uint64_t>(st.st_size);
    Elf64_Ehdr eh{};
    if (::pread(fd, &eh, sizeof eh, 0) != static_cast<ssize_t>(sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return why = "not an ELF file", false;
    if (eh.e_ident[EI_CLASS] != ELFCLASS64) return why = "not a 64-bit ELF object", false;
    if (eh.e_type != ET_DYN) return why = "not a shared object", false;
    if (eh.e_shoff + std::uint64_t(eh.e_shnum) * eh.e_shentsize > size ||
        eh.e_phoff + std::uint64_t(eh.e_phnum) * eh.e_phentsize > size)
        return why = "file is incomplete (still being written?)", false;
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256) return why = "unexpected program headers", false;
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph{};
        if (::pread(fd, &ph, sizeof ph, static_cast<off_t>(eh.e_phoff + i * sizeof ph)) != static_cast<ssize_t>(sizeof ph))
            return why = "cannot read program headers", false;
        if (ph.p_type == PT_LOAD && ph.p_offset + ph.p_filesz > size)
            return why = "file is incomplete (a segment lies past its end)", false;
    }
    return true;
}

} // namespace plugrpc
