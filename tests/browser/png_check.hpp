// What a screenshot test needs to know of a PNG: its size, and whether it
// shows anything: a blank page has a few colours and few rows that differ
// from the one above.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace plugrpc::test {

struct PngFacts {
    unsigned width = 0, height = 0;
    std::size_t colours = 0;      // distinct pixel values (counted up to 4096)
    std::size_t changed_rows = 0; // rows that differ from the row above
};

// None, with `why`, when `bytes` is not an 8-bit RGB or RGBA PNG that inflates whole.
std::optional<PngFacts> read_png(std::string_view bytes, std::string& why);

} // namespace plugrpc::test
