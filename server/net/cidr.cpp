#include <plugrpc/cidr.hpp>

namespace plugrpc {
namespace ip = boost::asio::ip;

std::optional<Cidr> Cidr::parse(const std::string& text, std::string& why) {
    Cidr c;
    auto slash = text.find('/');
    boost::system::error_code ec;
    c.network = ip::make_address(text.substr(0, slash), ec);
    if (ec) {
        why = "\"" + text + "\" is not an address or CIDR range";
        return std::nullopt;
    }
    unsigned max = c.network.is_v4() ? 32 : 128;
    c.prefix = max;
    if (slash != std::string::npos) {
        std::string bits = text.substr(slash + 1);
        if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos ||
            std::stoul(bits) > max) {
            why = "\"" + text + "\": prefix length must be 0.." + std::to_string(max);
            return std::nullopt;
        }
        c.prefix = static_cast<unsigned>(std::stoul(bits));
    }
    return c;
}

bool Cidr::contains(const ip::address& raw) const {
    ip::address a = raw;
    if (a.is_v6() && a.to_v6().is_v4_mapped() && network.is_v4()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
    if (a.is_v4() != network.is_v4()) return false;
    auto match = [this](const auto& x, const auto& y) {
        for (unsigned i = 0; i < prefix; ++i) {
            unsigned byte = i / 8, bit = 7 - i % 8;
            if (((x[byte] >> bit) & 1) != ((y[byte] >> bit) & 1)) return false;
        }
        return true;
    };
    if (a.is_v4()) return match(a.to_v4().to_bytes(), network.to_v4().to_bytes());
    return match(a.to_v6().to_bytes(), network.to_v6().to_bytes());
}

} // namespace plugrpc
