// Walking the fields of a gob struct value: (field-number delta, value)
// pairs starting from field -1, ended by a zero delta or by the end of the
// message (Go accepts both).
#pragma once

#include "wire/gob/wire.hpp"

#include <cstddef>
#include <cstdint>

namespace plugrpc::gob {

// Calls on_field(field_number) for each field present; on_field reads the
// field's value from `r`. `field_count` is the number of fields the wire
// type declares.
template <class OnField>
void for_each_field(Reader& r, std::size_t field_count, OnField&& on_field) {
    std::uint64_t next = 0; // the lowest field number the next delta may reach
    while (!r.empty()) {
        std::uint64_t delta = r.read_uint();
        if (delta == 0) return;
        if (delta >> 63) throw Error("gob: decode: corrupted data: negative delta");
        std::uint64_t field = next + delta - 1;
        if (field >= field_count) throw Error("gob: bad data: field numbers out of bounds");
        on_field(static_cast<std::size_t>(field));
        next = field + 1;
    }
}

} // namespace plugrpc::gob
