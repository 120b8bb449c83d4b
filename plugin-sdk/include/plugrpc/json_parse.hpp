// Correctly rounded JSON parsing. Boost.JSON 1.81's own parser can be one
// ulp off for doubles (about 3 in 10 random doubles); this one hands the
// number's text to std::from_chars instead. And it reads -0 as the double
// -0.0, not the integer 0, so that a float keeps its sign. The value cannot
// tell -0 from -0.0 afterwards, nor 1e2 from 100.00000000000000001: the
// host judges an integer parameter on its text (wire/number_literals.hpp).
#pragma once

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>

#include <charconv>
#include <string>
#include <string_view>

namespace plugrpc {

namespace detail {

struct PreciseHandler {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);
    using ec_t = boost::json::error_code;
    using sv = boost::json::string_view;

    boost::json::value_stack st;
    std::string num; // a number's text split over several parts

    // `temp`: scratch space for the value stack, so a small document is
    // parsed without touching the heap (beyond what `sp` hands out).
    PreciseHandler(boost::json::storage_ptr sp, unsigned char* temp, std::size_t temp_size)
        : st(std::move(sp), temp, temp_size) {}
    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_object_begin(ec_t&) { return true; }
    bool on_object_end(std::size_t n, ec_t&) { st.push_object(n); return true; }
    bool on_array_begin(ec_t&) { return true; }
    bool on_array_end(std::size_t n, ec_t&) { st.push_array(n); return true; }
    bool on_key_part(sv s, std::size_t, ec_t&) { st.push_chars(s); return true; }
    bool on_key(sv s, std::size_t, ec_t&) { st.push_key(s); return true; }
    bool on_string_part(sv s, std::size_t, ec_t&) { st.push_chars(s); return true; }
    bool on_string(sv s, std::size_t, ec_t&) { st.push_string(s); return true; }
    bool on_number_part(sv s, ec_t&) { num.append(s.data(), s.size()); return true; }
    bool on_int64(std::int64_t i, sv s, ec_t&) {
        // -0 is the double -0.0, as Go's encoding/json reads it into a
        // float64; into an integer its text decides (0 for a signed one).
        bool negative_zero = i == 0 && (num.empty() ? !s.empty() && s[0] == '-' : num[0] == '-');
        num.clear();
        if (negative_zero) st.push_double(-0.0);
        else st.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, sv, ec_t&) { num.clear(); st.push_uint64(u); return true; }
    bool on_double(double d, sv s, ec_t&) {
        num.append(s.data(), s.size());
        double exact = 0;
        auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), exact);
        if (ec == std::errc() && end == num.data() + num.size()) d = exact;
        num.clear();
        st.push_double(d);
        return true;
    }
    bool on_bool(bool b, ec_t&) { st.push_bool(b); return true; }
    bool on_null(ec_t&) { st.push_null(); return true; }
    bool on_comment_part(sv, ec_t&) { return true; }
    bool on_comment(sv, ec_t&) { return true; }
};

} // namespace detail

// As boost::json::parse(text, ec, sp, opt), with correctly rounded doubles.
inline boost::json::value parse_json(std::string_view text, boost::json::error_code& ec,
                                     boost::json::storage_ptr sp = {},
                                     const boost::json::parse_options& opt = {}) {
    unsigned char temp[1024];
    boost::json::basic_parser<detail::PreciseHandler> p(opt, sp, temp, sizeof temp);
    p.handler().st.reset(sp);
    std::size_t n = p.write_some(false, text.data(), text.size(), ec);
    if (!ec && n < text.size()) ec = boost::json::error::extra_data;
    if (ec) return nullptr;
    return p.handler().st.release();
}

} // namespace plugrpc
