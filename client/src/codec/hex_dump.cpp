#include "codec/hex_dump.hpp"


namespace plugrpc::client::wire {

std::string hex_dump(std::string_view bytes, std::string_view mark) {
    static constexpr char kDigits[] = "0123456789abcdef";
    auto hex = [&](std::string& out, std::size_t v, int digits) {
        for (int d = digits - 1; d >= 0; --d) out += kDigits[(v >> (4 * d)) & 15];
    };
    std::string out;
    for (std::size_t line = 0; line < bytes.size(); line += 16) {
        if (line) out += '\n';
        out += mark;
        hex(out, line, line > 0xffff ? 8 : 4);
        out += ' ';
        for (std::size_t i = line; i < line + 16 && i < bytes.size(); ++i) {
            out += ' ';
            hex(out, static_cast<unsigned char>(bytes[i]), 2);
        }
    }
    return out;
}

} // namespace plugrpc::client::wire
