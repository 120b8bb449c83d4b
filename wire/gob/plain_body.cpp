#include "wire/gob/plain_body.hpp"

#include "wire/gob/compat.hpp"
#include "wire/gob/fields.hpp"

#include <plugrpc/json_write.hpp>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace plugrpc::gob {

namespace {

// Fields past this many take the general path.
constexpr std::size_t kMaxPlainFields = 32; // a bit each in `received`

// A field written here: of a kind written here, and named in plain text,
// so that its json_key is what the general writer writes for the name.
bool plain_field(const Field& f) {
    switch (f.type->kind) {
    case Kind::Int:
    case Kind::Uint:
    case Kind::Bool:
    case Kind::String: return detail::plain_text(f.name);
    default: return false;
    }
}

// One received field's value, until it is written: an integer's bits
// (Int as two's complement), a boolean's 0 or 1, or a string's bytes.
struct Slot {
    std::uint64_t bits;
    const char* data; // a string's
    std::size_t size;
};

} // namespace

bool write_plain_struct(Walk& w, TypeId id, const Schema& local, DecodePlans& plans, std::string& out) {
    if (local.kind != Kind::Struct || local.fields.size() > kMaxPlainFields || !plans.checked(id, local)) return false;
    for (const Field& f : local.fields)
        if (!plain_field(f)) return false;
    const TypeRef& ws = wire_struct_for(w.types, local, id);
    const std::vector<int>& map = plans.field_map(id, ws, local);
    Reader& r = w.in.reader();
    Slot slots[kMaxPlainFields]; // read only where `received` says
    std::uint32_t received = 0;
    bool plain = true;
    // As the general path reads them (value_decoder.cpp): by the local
    // field's kind, a wire field with no local one read past.
    for_each_field(r, ws.fields().size(), [&](std::size_t f) {
        FieldRef wf = ws.fields()[f];
        int i = map[f];
        if (i < 0) return skip_value(w, wf.id, 1);
        const Schema& s = *local.fields[static_cast<std::size_t>(i)].type;
        Slot& slot = slots[static_cast<std::size_t>(i)];
        received |= std::uint32_t(1) << i;
        switch (s.kind) {
        case Kind::Int: {
            std::int64_t v = r.read_int();
            if (!int_fits(s, v)) plain = false; // the general path words the error
            slot.bits = static_cast<std::uint64_t>(v);
            break;
        }
        case Kind::Uint:
            slot.bits = r.read_uint();
            if (!uint_fits(s, slot.bits)) plain = false;
            break;
        case Kind::Bool: slot.bits = r.read_uint() != 0; break;
        default: { // String
            std::string_view bytes = r.read_bytes(r.read_length("string slice"));
            slot.data = bytes.data();
            slot.size = bytes.size();
            if (!detail::plain_text(bytes)) plain = false;
            break;
        }
        }
    });
    if (!plain) return false;
    // Written in place: the text's size is known up to the integers'
    // digits (20 at most), and the string grows once.
    std::size_t most = 2;
    for (std::size_t i = 0; i < local.fields.size(); ++i) {
        const Field& f = local.fields[i];
        most += f.json_key.size() + 1; // ,"name":
        most += f.type->kind == Kind::String ? ((received >> i) & 1 ? slots[i].size : 0) + 2 : 20;
    }
    std::size_t start = out.size();
    out.resize(start + most);
    char* p = out.data() + start;
    auto put = [&p](std::string_view t) {
        std::memcpy(p, t.data(), t.size());
        p += t.size();
    };
    char* end = out.data() + out.size();
    *p++ = '{';
    for (std::size_t i = 0; i < local.fields.size(); ++i) {
        const Field& f = local.fields[i];
        bool got = (received >> i) & 1;
        std::uint64_t bits = got ? slots[i].bits : 0;
        if (i > 0) *p++ = ',';
        put(f.json_key); // "name": as the schema keeps it
        switch (f.type->kind) {
        case Kind::Int: p = std::to_chars(p, end, static_cast<std::int64_t>(bits)).ptr; break;
        case Kind::Uint: p = std::to_chars(p, end, bits).ptr; break;
        case Kind::Bool: put(bits ? "true" : "false"); break;
        default:
            *p++ = '"';
            if (got) put({slots[i].data, slots[i].size});
            *p++ = '"';
            break;
        }
    }
    *p++ = '}';
    out.resize(static_cast<std::size_t>(p - out.data()));
    return true;
}

} // namespace plugrpc::gob
