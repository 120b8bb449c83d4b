#include "wire/jsonrpc/envelope.hpp"

#include <plugrpc/json_parse.hpp>
#include <plugrpc/json_scan.hpp>

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>

#include <cstdint>

namespace plugrpc::jsonrpc {
namespace json = boost::json;

namespace {

class Scanner {
public:
    explicit Scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

    const char* pos() const { return p_; }
    bool at_end() {
        skip_space();
        return p_ == end_;
    }
    bool take(char c) {
        skip_space();
        if (p_ == end_ || *p_ != c) return false;
        ++p_;
        return true;
    }

    // A string of printable ASCII with no escape.
    bool plain_string(std::string_view& s) { return take('"') && json_scan::plain_string_rest(p_, end_, s); }

    // An integer literal that fits int64, not -0, with no fraction or exponent.
    bool integer(std::int64_t& v) {
        skip_space();
        return json_scan::integer(p_, end_, v);
    }

    bool null() {
        skip_space();
        if (end_ - p_ < 4 || std::string_view(p_, 4) != "null") return false;
        p_ += 4;
        return true;
    }

    // Step over one value without judging it: strings, and brackets by depth,
    // to the first ',' or closing bracket outside them. The parser judges the
    // bytes stepped over.
    bool skip_value() {
        skip_space();
        unsigned depth = 0;
        for (; p_ != end_; ++p_) {
            char c = *p_;
            if (c == '"') {
                for (++p_; p_ != end_ && *p_ != '"'; ++p_)
                    if (*p_ == '\\' && ++p_ == end_) return false;
                if (p_ == end_) return false;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (depth == 0) return true;
                --depth;
            } else if (c == ',' && depth == 0) {
                return true;
            }
        }
        return false;
    }

private:
    void skip_space() { json_scan::skip_space(p_, end_); }

    const char* p_;
    const char* end_;
};

constexpr unsigned kOther = 4;

unsigned member_of(std::string_view key) {
    if (key == "method") return Envelope::Method;
    if (key == "params") return Envelope::Params;
    if (key == "id") return Envelope::Id;
    if (key == "jsonrpc") return Envelope::Version;
    return kOther;
}

} // namespace

bool read_envelope(std::string_view text, unsigned max_depth, const json::storage_ptr& storage, json::value& values,
                   Envelope& found, ArgsReader* reader) {
    if (max_depth < 2) return false;
    Scanner in(text);
    if (!in.take('{')) return false;
    json::array members(4, storage); // four nulls, filled as found
    unsigned seen = 0;
    std::string_view params;
    do {
        std::string_view key;
        if (!in.plain_string(key) || !in.take(':')) return false;
        unsigned m = member_of(key);
        if (m == kOther || (seen >> m & 1)) return false;
        seen |= 1u << m;
        json::value& slot = members[m];
        switch (m) {
        case Envelope::Version:
        case Envelope::Method: {
            std::string_view s;
            if (!in.plain_string(s)) return false;
            slot = json::string_view(s);
            break;
        }
        case Envelope::Id: {
            std::string_view s;
            std::int64_t n = 0;
            if (in.null()) break;
            if (in.integer(n)) slot = n;
            else if (in.plain_string(s)) slot = json::string_view(s);
            else return false;
            break;
        }
        case Envelope::Params: { // judged once every other member is read
            const char* begin = in.pos();
            if (!in.skip_value()) return false;
            params = std::string_view(begin, static_cast<std::size_t>(in.pos() - begin));
            break;
        }
        }
    } while (in.take(','));
    if (!in.take('}') || !in.at_end()) return false;
    found.params_read = false;
    found.params_text = {};
    if (seen >> Envelope::Params & 1) {
        bool v2 = seen >> Envelope::Version & 1;
        if (reader && max_depth >= 3 && (seen >> Envelope::Method & 1) &&
            reader->read(std::string_view(members[Envelope::Method].get_string()), v2, params)) {
            found.params_read = true;
        } else {
            json::parse_options opt;
            opt.max_depth = max_depth - 1; // the request object is one level
            boost::system::error_code ec;
            members[Envelope::Params] = parse_json(params, ec, storage, opt);
            if (ec) return false;
            found.params_text = params;
        }
    }
    values = std::move(members); // the same storage: moved, not copied
    found.present = seen;
    return true;
}

} // namespace plugrpc::jsonrpc
