// The text each number of a parsed JSON value was written as, where the
// value cannot tell: a json::value holds -0 and -0.0 as the same double
// (json_parse.hpp reads both as -0, so that a float keeps its sign), and
// 100, 1e2 and 100.00000000000000001 as the same 100.0. An integer
// parameter is judged on its literal (integer_literal.hpp), as Go's
// encoding/json judges it, so the literal has to be found again.
//
// Built on first use, which is rare (a number with a fraction, an exponent
// or a minus zero where an integer is expected): the text is read again in
// step with the value parsed from it, and the literal of each double with
// no fraction (the only ones whose text can make them integers) is noted
// under its address. A member given twice is matched as the parse kept it
// (the last one); text that does not read the same (it should) leaves the
// numbers it reached unknown, never wrong.
#pragma once

#include <boost/json/value.hpp>

#include <string_view>
#include <utility>
#include <vector>

namespace plugrpc {

class NumberLiterals {
public:
    NumberLiterals() = default;
    // `parsed` is what parse_json() read from `text`; both must outlive this.
    NumberLiterals(std::string_view text, const boost::json::value* parsed) : text_(text), parsed_(parsed) {}

    // The literal of `v`, a double with no fraction in the parsed value
    // ("-0.0", "1e2", "1e-400"); empty for any other value.
    std::string_view of(const boost::json::value& v) const;

private:
    void build() const;

    std::string_view text_;
    const boost::json::value* parsed_ = nullptr;
    mutable bool built_ = false;
    mutable std::vector<std::pair<const boost::json::value*, std::string_view>> doubles_; // sorted by address
};

} // namespace plugrpc
