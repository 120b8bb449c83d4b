#include "wire/number_literals.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace plugrpc {
namespace json = boost::json;

namespace {

// A parser handler that builds nothing: it walks the parsed value along
// with the text, and notes the literal of each double it meets.
struct Walk {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);
    using ec_t = json::error_code;
    using sv = json::string_view;

    struct Open {
        const json::value* node; // the object or array it stands for; null if the value has none here
        std::size_t next = 0;    // an array's next element
        const json::value* member = nullptr; // an object's member after its key
    };

    Walk(const json::value* root, std::vector<std::pair<const json::value*, std::string_view>>& out)
        : root(root), out(out) {}

    const json::value* root;
    std::vector<std::pair<const json::value*, std::string_view>>& out;
    std::vector<Open> open;
    bool root_taken = false;
    std::string key;
    const char* number = nullptr; // where a number split into parts began

    // The value the next one in the text stands for, if any.
    const json::value* next() {
        if (open.empty()) return std::exchange(root_taken, true) ? nullptr : root;
        Open& o = open.back();
        if (!o.node) return nullptr;
        if (o.node->is_object()) return std::exchange(o.member, nullptr);
        const json::array& a = o.node->get_array();
        return o.next < a.size() ? &a[o.next++] : nullptr;
    }
    bool begin(json::kind k) {
        const json::value* v = next();
        open.push_back({v && v->kind() == k ? v : nullptr});
        return true;
    }
    bool end() {
        open.pop_back();
        return true;
    }
    bool scalar() {
        next();
        return true;
    }
    bool num(sv s) {
        const char* b = number ? number : s.data();
        number = nullptr;
        const json::value* v = next();
        // Only a double with no fraction (1e2, -0.0, and 1e-400 which reads
        // as 0) can be an integer by its text: 2.5 is none however written.
        if (v && v->is_double() && std::trunc(v->get_double()) == v->get_double())
            out.emplace_back(v, std::string_view(b, static_cast<std::size_t>(s.data() + s.size() - b)));
        return true;
    }

    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_object_begin(ec_t&) { return begin(json::kind::object); }
    bool on_object_end(std::size_t, ec_t&) { return end(); }
    bool on_array_begin(ec_t&) { return begin(json::kind::array); }
    bool on_array_end(std::size_t, ec_t&) { return end(); }
    bool on_key_part(sv s, std::size_t, ec_t&) {
        key.append(s.data(), s.size());
        return true;
    }
    bool on_key(sv s, std::size_t, ec_t&) {
        key.append(s.data(), s.size());
        Open& o = open.back();
        // The parse keeps the last of a key given twice: an earlier one is
        // walked against it, and its notes are overwritten by the last's.
        if (o.node) o.member = o.node->get_object().if_contains(key);
        key.clear();
        return true;
    }
    bool on_string_part(sv, std::size_t, ec_t&) { return true; }
    bool on_string(sv, std::size_t, ec_t&) { return scalar(); }
    bool on_number_part(sv s, ec_t&) {
        if (!number) number = s.data();
        return true;
    }
    bool on_int64(std::int64_t, sv s, ec_t&) { return num(s); }
    bool on_uint64(std::uint64_t, sv s, ec_t&) { return num(s); }
    bool on_double(double, sv s, ec_t&) { return num(s); }
    bool on_bool(bool, ec_t&) { return scalar(); }
    bool on_null(ec_t&) { return scalar(); }
    bool on_comment_part(sv, ec_t&) { return true; }
    bool on_comment(sv, ec_t&) { return true; }
};

bool by_address(const std::pair<const json::value*, std::string_view>& a,
                const std::pair<const json::value*, std::string_view>& b) {
    return std::less<const json::value*>()(a.first, b.first);
}

} // namespace

void NumberLiterals::build() const {
    built_ = true;
    if (!parsed_) return;
    std::vector<std::pair<const json::value*, std::string_view>> found;
    json::parse_options opt;
    opt.max_depth = std::size_t(-1); // the text was parsed once already, within its bound
    json::basic_parser<Walk> p(opt, parsed_, found);
    json::error_code ec;
    // The whole text in one call: every number's text lies within it.
    p.write_some(false, text_.data(), text_.size(), ec);
    // Sorted by address, each address once: the last note (the last of a
    // key given twice) wins.
    std::stable_sort(found.begin(), found.end(), by_address);
    for (const auto& f : found) {
        if (!doubles_.empty() && doubles_.back().first == f.first) doubles_.back() = f;
        else doubles_.push_back(f);
    }
}

std::string_view NumberLiterals::of(const json::value& v) const {
    if (!built_) build();
    auto it = std::lower_bound(doubles_.begin(), doubles_.end(), std::make_pair(&v, std::string_view()), by_address);
    return it != doubles_.end() && it->first == &v ? it->second : std::string_view();
}

} // namespace plugrpc
