// The usual JSON-RPC request read without parsing all of it:
//
//   {"jsonrpc":"2.0","method":"S.M","params":<any>,"id":7}   (either dialect,
//                                                             members in any order)
//
// The members around "params" are read by hand; "params" is parsed alone,
// or read straight into a call's arguments by an ArgsReader; no object is
// built. It takes only what it can read exactly as the full
// parse would: member
// names among jsonrpc, method, params and id, each at most once; jsonrpc and
// method as printable ASCII strings with no escape; id as null, such a
// string, or an integer literal that fits int64 (not -0). Anything else
// (a batch, another member, an escape, a float id, bad JSON) it declines,
// and the message is parsed whole, which stays the reference: each member
// it accepts is the very value the full parse would give.
#pragma once

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace plugrpc::jsonrpc {

// The members found: `values` holds jsonrpc, id, method and params at the
// indexes below (null where absent), built in the storage given.
struct Envelope {
    enum Member : unsigned { Version, Id, Method, Params };
    unsigned present = 0;    // a bit per member
    bool params_read = false; // params were taken by an ArgsReader: no value built
    std::string_view params_text; // the text params were parsed from, when they were
    bool has(Member m) const { return (present >> m) & 1; }
};

// Who may take "params" as text, before any value is built: the server,
// which knows the method's schema (server/jsonrpc/serve.cpp).
class ArgsReader {
public:
    // `params` is the text of the member, not yet judged; `v2` tells the
    // dialect ("jsonrpc" present). Return true only for text read whole as
    // valid JSON: for V2 an object, for Go's dialect an array of one object.
    virtual bool read(std::string_view method, bool v2, std::string_view params) = 0;

protected:
    ~ArgsReader() = default;
};

// On success `values` holds the four members, with params nested no deeper
// than the full parse's `max_depth` allows — or taken by `reader` (at most
// two levels deep, asked only when `max_depth` allows three, and only when
// "method" is there): then found.params_read is set and params stays null.
bool read_envelope(std::string_view text, unsigned max_depth, const boost::json::storage_ptr& storage,
                   boost::json::value& values, Envelope& found, ArgsReader* reader = nullptr);

} // namespace plugrpc::jsonrpc
