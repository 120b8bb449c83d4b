// Text buffers each thread reuses for work that ends before the function
// using one returns: no allocation once they have grown. Users nest (the
// argument text of a call is in use while its reply is encoded); each level
// has its own buffer, and levels past the last get a fresh string.
#pragma once

#include <string>

namespace plugrpc {

class Scratch {
public:
    Scratch() : level_(depth()++) {
        if (level_ < kLevels) reused()[level_].clear();
    }
    ~Scratch() {
        --depth();
        // A rare large text does not stay with the thread.
        if (level_ < kLevels && reused()[level_].capacity() > kKeepBytes) std::string().swap(reused()[level_]);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    std::string& text() { return level_ < kLevels ? reused()[level_] : own_; }

private:
    static constexpr unsigned kLevels = 4;
    static constexpr std::size_t kKeepBytes = 64 * 1024;
    static unsigned& depth() {
        thread_local unsigned d = 0;
        return d;
    }
    static std::string* reused() {
        thread_local std::string s[kLevels];
        return s;
    }

    unsigned level_;
    std::string own_;
};

} // namespace plugrpc
