#include "png_check.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <vector>

namespace plugrpc::test {
namespace {

std::uint32_t be32(std::string_view b, std::size_t at) {
    return std::uint32_t(std::uint8_t(b[at])) << 24 | std::uint32_t(std::uint8_t(b[at + 1])) << 16 |
           std::uint32_t(std::uint8_t(b[at + 2])) << 8 | std::uint32_t(std::uint8_t(b[at + 3]));
}

} // namespace

std::optional<PngFacts> read_png(std::string_view b, std::string& why) {
    if (b.size() < 33 || b.substr(0, 8) != std::string_view("\x89PNG\r\n\x1a\n", 8)) {
        why = "not a PNG";
        return std::nullopt;
    }
    PngFacts f;
    std::string idat;
    unsigned channels = 0;
    for (std::size_t at = 8; at + 12 <= b.size();) {
        std::uint32_t len = be32(b, at);
        std::string_view type = b.substr(at + 4, 4);
        if (at + 12 + len > b.size()) break;
        std::string_view data = b.substr(at + 8, len);
        if (type == "IHDR") {
            f.width = be32(data, 0);
            f.height = be32(data, 4);
            unsigned depth = std::uint8_t(data[8]), color = std::uint8_t(data[9]);
            if (depth != 8 || (color != 2 && color != 6)) {
                why = "not 8-bit RGB(A)";
                return std::nullopt;
            }
            channels = color == 2 ? 3 : 4;
        } else if (type == "IDAT") {
            idat.append(data);
        }
        at += 12 + len;
    }
    if (!channels || idat.empty()) {
        why = "no IHDR or IDAT";
        return std::nullopt;
    }
    std::size_t stride = 1 + std::size_t(f.width) * channels;
    std::vector<unsigned char> raw(stride * f.height);
    uLongf size = raw.size();
    if (uncompress(raw.data(), &size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK ||
        size != raw.size()) {
        why = "the image data does not inflate to width x height";
        return std::nullopt;
    }
    // Undo the filters (PNG spec, section 9) row by row, in place.
    std::size_t bpp = channels, line = stride - 1;
    std::vector<unsigned char> prev(line, 0);
    std::set<std::uint32_t> colours;
    for (std::size_t row = 0; row < f.height; ++row) {
        unsigned char* p = raw.data() + row * stride + 1;
        unsigned filter = p[-1];
        for (std::size_t i = 0; i < line; ++i) {
            int a = i >= bpp ? p[i - bpp] : 0, up = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
            int predicted = 0;
            switch (filter) {
            case 1: predicted = a; break;
            case 2: predicted = up; break;
            case 3: predicted = (a + up) / 2; break;
            case 4: {
                int pa = std::abs(up - c), pb = std::abs(a - c), pc = std::abs(a + up - 2 * c);
                predicted = pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
                break;
            }
            default: break;
            }
            p[i] = static_cast<unsigned char>(p[i] + predicted);
        }
        if (row > 0 && !std::equal(prev.begin(), prev.end(), p)) ++f.changed_rows;
        for (std::size_t i = 0; i + bpp <= line && colours.size() < 4096; i += bpp)
            colours.insert(std::uint32_t(p[i]) << 16 | std::uint32_t(p[i + 1]) << 8 | p[i + 2]);
        prev.assign(p, p + line);
    }
    f.colours = colours.size();
    return f;
}

} // namespace plugrpc::test
