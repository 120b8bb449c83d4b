// Reading a received gob value into JSON, shaped by the receiver's Schema,
// with Go's rules: struct fields matched by name, received fields the
// receiver lacks read past, missing fields zero, integer widths range
// checked ("value for \"A\" out of range").
//
// JSON shapes: Int -> int64, Uint -> uint64, Float -> double, Bytes ->
// base64 string, Slice/Array -> array (a []uint8 slice too), Map -> object
// with integer keys in decimal, Struct -> object with every schema field in
// schema order. Strings keep their bytes, UTF-8 or not, as Go's do.
#pragma once

#include "wire/gob/skip.hpp"
#include "wire/schema.hpp"

#include <boost/json/value.hpp>

#include <map>
#include <set>
#include <utility>
#include <vector>

namespace plugrpc::gob {

// What a connection learns once per pair of wire type and local schema:
// that the pair passed Go's compatibility checks, and which local field
// each wire field lands in. Type ids never change meaning on a stream, so
// this holds for the connection's life. The schemas the keys point into
// are kept alive here; the whole memory is dropped past kMaxSchemas.
class DecodePlans {
public:
    void keep(const SchemaPtr& schema);
    bool checked(TypeId id, const Schema& s) const { return checked_.count({id, &s}) != 0; }
    void mark_checked(TypeId id, const Schema& s) { checked_.insert({id, &s}); }
    const std::vector<int>& field_map(TypeId id, const TypeRef& ws, const Schema& s);

private:
    static constexpr std::size_t kMaxSchemas = 64;
    using Key = std::pair<TypeId, const Schema*>;
    std::set<Key> checked_;
    std::map<Key, std::vector<int>> field_maps_;
    std::vector<SchemaPtr> kept_;
};

// Checks the receiver's types against the wire types (Go's compile step;
// once per pair with `plans`), then reads a top-level value of wire type
// `id`: a struct, or a zero delta and a singleton. The value is built in
// `storage`. Throws Error (the call's error text) or StreamError.
boost::json::value decode_top_value(Walk& w, TypeId id, const Schema& local, DecodePlans& plans,
                                    boost::json::storage_ptr storage = {});
// The same, learning nothing for later.
boost::json::value decode_top_value(Walk& w, TypeId id, const Schema& local);

} // namespace plugrpc::gob
