// Names matched as Go's encoding/json matches a JSON member to a struct
// field: exactly, or else ignoring case as its fold.go does — ASCII letters
// either case, 'ſ' (U+017F) as s and 'K' (U+212A, Kelvin) as k, every other
// byte as itself. `name` is a field's name: ASCII.
#pragma once

#include <string_view>

namespace plugrpc {

inline bool go_fold_equal(std::string_view key, std::string_view name) {
    std::size_t i = 0;
    for (char n : name) {
        if (i == key.size()) return false;
        char lower = (n >= 'A' && n <= 'Z') ? static_cast<char>(n - 'A' + 'a') : n;
        if (lower >= 'a' && lower <= 'z') {
            if (lower == 's' && key.substr(i, 2) == "\xC5\xBF") {
                i += 2;
                continue;
            }
            if (lower == 'k' && key.substr(i, 3) == "\xE2\x84\xAA") {
                i += 3;
                continue;
            }
            char c = key[i];
            if (c != lower && c != lower - ('a' - 'A')) return false;
        } else if (key[i] != n) {
            return false;
        }
        ++i;
    }
    return i == key.size();
}

} // namespace plugrpc
