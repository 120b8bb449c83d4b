#include "server/jsonrpc/message.hpp"

#include "wire/jsonrpc/envelope.hpp"
#include "wire/go_fold.hpp"
#include "wire/jsonrpc/go_strings.hpp"
#include "wire/json_text.hpp"
#include "wire/json_typed_text.hpp"

#include <boost/json/parse.hpp>
#include <plugrpc/json_parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>

namespace plugrpc::jsonrpc {
namespace json = boost::json;

namespace {

const json::value kNull; // the argument of a request without one

Request invalid(Dialect d, json::value id, int code, std::string why) {
    Request r;
    r.params = &kNull;
    r.dialect = d;
    r.id = std::move(id);
    append_json(r.id_text, r.id);
    r.error_code = code;
    r.error = std::move(why);
    return r;
}

bool valid_id(const json::value& id) { return id.is_null() || id.is_number() || id.is_string(); }

// The first number JSON cannot carry (infinity, NaN) in `v`, as Go's
// encoding/json names it; null when there is none. A number beyond a
// double's range (1e400) parses as infinity: an id holding one could not
// be echoed, a result holding one could not be sent.
const char* unsupported_number(const json::value& v) {
    switch (v.kind()) {
    case json::kind::double_: {
        double d = v.get_double();
        if (std::isnan(d)) return "NaN";
        if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
        return nullptr;
    }
    case json::kind::array:
        for (const auto& e : v.get_array())
            if (const char* bad = unsupported_number(e)) return bad;
        return nullptr;
    case json::kind::object:
        for (const auto& kv : v.get_object())
            if (const char* bad = unsupported_number(kv.value())) return bad;
        return nullptr;
    default: return nullptr;
    }
}

// What Go's encoding/json calls a JSON value's kind in its errors.
const char* go_json_kind(const json::value& v) {
    switch (v.kind()) {
    case json::kind::object: return "object";
    case json::kind::array: return "array";
    case json::kind::string: return "string";
    case json::kind::bool_: return "bool";
    case json::kind::null: return "null";
    default: return "number";
    }
}

// A request from its members (null where absent), however they were read;
// `params_read` when an ArgsReader took them (an object, or for Go's
// dialect an array of one: nothing to check here). `in_batch`: an element
// of a batch, which only JSON-RPC 2.0 has: one without "jsonrpc" is
// answered as 2.0 answers it, not read as Go's request.
Request decode_members(const json::value* version, const json::value* id, const json::value* method,
                       const json::value* params, bool params_read = false, bool in_batch = false) {
    Request r;
    r.dialect = version ? Dialect::V2 : Dialect::Go;
    // An id is echoed as its text (keep_id_text), as Go's server keeps it
    // as json.RawMessage: 1e400, which parses as infinity, comes back as 1e400.
    if (id) r.id = *id;
    append_json(r.id_text, r.id);
    if (r.dialect == Dialect::V2) {
        if (!version->is_string() || version->get_string() != "2.0")
            return invalid(Dialect::V2, id && valid_id(*id) ? *id : nullptr, InvalidRequest,
                           "Invalid Request: \"jsonrpc\" must be \"2.0\"");
        if (id && !valid_id(*id))
            return invalid(Dialect::V2, nullptr, InvalidRequest, "Invalid Request: id must be a string, number or null");
        r.notification = id == nullptr;
    }
    if (r.dialect == Dialect::Go && !in_batch && (!method || method->is_null())) {
        r.method = {}; // Go's request then has Method "": its server answers "ill-formed"
    } else if (!method || !method->is_string()) {
        return invalid(r.dialect, r.id, InvalidRequest,
                       r.dialect == Dialect::V2 ? "Invalid Request: \"method\" must be a string"
                                                : "jsonrpc: request has no method");
    } else {
        r.method = method->get_string();
    }
    r.params = &kNull;
    if (params_read) {
        r.args_read = true;
        return r;
    }
    if (r.dialect == Dialect::Go) {
        // Go's server: the argument is params[0]; [] is the zero value.
        r.shape = ParamsShape::GoValue;
        // Errors of the body, answered only once the name is found, as Go's
        // server reads the header (and looks the name up) first.
        auto body_error = [&](std::string why) {
            Request e = invalid(r.dialect, r.id, InvalidParams, std::move(why));
            e.method = r.method;
            e.body_error = !in_batch;
            return e;
        };
        if (!params || params->is_null()) return body_error("jsonrpc: request body missing params");
        // Anything but an array fails as Go's json.Unmarshal into [1]any does.
        if (!params->is_array())
            return body_error(std::string("json: cannot unmarshal ") + go_json_kind(*params) +
                              " into Go value of type [1]interface {}");
        const auto& a = params->get_array();
        if (!a.empty()) r.params = &a[0];
        return r;
    }
    if (params && !params->is_array() && !params->is_object() && !params->is_null())
        return invalid(r.dialect, r.id, InvalidRequest, "Invalid Request: \"params\" must be an array or an object");
    if (params) r.params = params;
    if (params && params->is_array()) r.shape = ParamsShape::Positional;
    return r;
}

// ---- ids as written ----------------------------------------------------------
// Over text the parser has accepted: valid JSON, so a plain walk will do.

bool json_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

const char* skip_spaces(const char* p, const char* end) {
    while (p != end && json_space(*p)) ++p;
    return p;
}

// Past the string whose opening quote is at `p`.
const char* skip_string(const char* p, const char* end) {
    for (++p; p != end && *p != '"'; ++p)
        if (*p == '\\' && p + 1 != end) ++p;
    return p == end ? end : p + 1;
}

// Past the value beginning at `p`.
const char* skip_json_value(const char* p, const char* end) {
    if (p == end) return p;
    if (*p == '"') return skip_string(p, end);
    if (*p == '{' || *p == '[') {
        unsigned depth = 0;
        while (p != end) {
            char c = *p;
            if (c == '"') {
                p = skip_string(p, end);
                continue;
            }
            ++p;
            if (c == '{' || c == '[') ++depth;
            else if ((c == '}' || c == ']') && --depth == 0) break;
        }
        return p;
    }
    while (p != end && *p != ',' && *p != '}' && *p != ']' && !json_space(*p)) ++p;
    return p;
}

// The value's text as Go's json.Encoder writes a RawMessage (encode.go,
// compact() with escapeHTML): the spaces between its tokens removed, <, >,
// & and U+2028, U+2029 escaped, every other byte as it came (one that is
// not UTF-8 too).
std::string compact(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const char* p = text.data();
    const char* end = p + text.size();
    bool in_string = false;
    for (; p != end; ++p) {
        char c = *p;
        if (c == '<' || c == '>' || c == '&') {
            out += c == '<' ? "\\u003c" : c == '>' ? "\\u003e" : "\\u0026";
        } else if (c == '\xE2' && end - p > 2 && p[1] == '\x80' && (p[2] == '\xA8' || p[2] == '\xA9')) {
            out += p[2] == '\xA8' ? "\\u2028" : "\\u2029";
            p += 2;
        } else if (in_string) {
            out += c;
            if (c == '\\' && p + 1 != end) out += *++p;
            else if (c == '"') in_string = false;
        } else if (!json_space(c)) {
            out += c;
            in_string = c == '"';
        }
    }
    return out;
}

// The member of Go's request named `name`: the last that matches, as each
// overwrites the field before it.
const json::value* go_member(const json::object& o, std::string_view name) {
    const json::value* found = nullptr;
    for (const auto& kv : o)
        if (go_fold_equal(kv.key(), name)) found = &kv.value();
    return found;
}

// The text of the member `name` of the object at the start of `text` (the
// last such member, as the parse keeps it); empty if there is none.
// `go_names`: names matched as Go's encoding/json matches them.
std::string_view member_text(std::string_view text, std::string_view name, bool go_names) {
    const char* p = skip_spaces(text.data(), text.data() + text.size());
    const char* end = text.data() + text.size();
    std::string_view found;
    if (p == end || *p != '{') return found;
    for (p = skip_spaces(p + 1, end); p != end && *p == '"';) {
        const char* key_end = skip_string(p, end);
        std::string_view key(p, static_cast<std::size_t>(key_end - p));
        p = skip_spaces(key_end, end);
        if (p == end || *p != ':') return {};
        p = skip_spaces(p + 1, end);
        const char* value_end = skip_json_value(p, end);
        bool match = false;
        if (key.find('\\') == std::string_view::npos) {
            std::string_view bare = key.substr(1, key.size() >= 2 ? key.size() - 2 : 0);
            match = go_names ? go_fold_equal(bare, name) : bare == name;
        } else { // "\u0069d" is "id" too
            boost::system::error_code ec;
            json::value k = json::parse(key, ec);
            match = !ec && k.is_string() &&
                    (go_names ? go_fold_equal(k.get_string(), name) : k.get_string() == name);
        }
        if (match) found = std::string_view(p, static_cast<std::size_t>(value_end - p));
        p = skip_spaces(value_end, end);
        if (p == end || *p != ',') break;
        p = skip_spaces(p + 1, end);
    }
    return found;
}

// The request parsed from `text` echoes its id as written.
void keep_id_text(Request& r, std::string_view text) {
    if (r.id.is_null()) return; // absent, null, or refused: written as null
    std::string_view raw = member_text(text, "id", r.dialect == Dialect::Go);
    if (!raw.empty()) r.id_text = compact(raw);
}

Request decode_one(const json::value& v, bool in_batch) {
    if (!v.is_object()) return invalid(Dialect::V2, nullptr, InvalidRequest, "Invalid Request: expected an object");
    const json::object& o = v.get_object();
    const json::value* version = o.if_contains("jsonrpc");
    if (version || in_batch) // JSON-RPC 2.0: names as written
        return decode_members(version, o.if_contains("id"), o.if_contains("method"), o.if_contains("params"), false,
                              in_batch);
    return decode_members(nullptr, go_member(o, "id"), go_member(o, "method"), go_member(o, "params"));
}

void append_id(std::string& out, const json::value& id) { append_json(out, id); }
void append_id(std::string& out, RawId id) { out += id.text; }

// A result as JSON text; float32s as Go writes them when its schema says where.
void append_result(std::string& out, const Outcome& o) {
    if (o.float32_schema) append_json_as(out, o.result, *o.float32_schema);
    else append_json(out, o.result);
}

void append_escaped(std::string& out, std::string_view s) { append_json(out, json::string_view(s)); }

// A JSON-RPC 2.0 method name without a dot, in the default service.
void qualify(Message& m, const DecodeLimits& limits) {
    if (limits.default_service.empty()) return;
    for (Request& r : m.requests) {
        if (r.error_code || r.dialect != Dialect::V2 || r.method.empty() ||
            r.method.find('.') != std::string_view::npos)
            continue;
        r.qualified.reserve(limits.default_service.size() + 1 + r.method.size());
        r.qualified.append(limits.default_service).append(1, '.').append(r.method);
    }
}

} // namespace

Message decode(std::string_view text, const DecodeLimits& limits, json::storage_ptr storage, ArgsReader* reader) {
    Message m(storage);
    Envelope found;
    if (read_envelope(text, limits.max_depth, storage, m.root, found, reader)) { // the usual request, read the short way
        const json::array& v = m.root.get_array();
        auto member = [&](Envelope::Member k) { return found.has(k) ? &v[k] : nullptr; };
        m.requests.push_back(decode_members(member(Envelope::Version), member(Envelope::Id),
                                            member(Envelope::Method), member(Envelope::Params),
                                            found.params_read));
        m.parsed_text = found.params_text;
        m.params_only = true;
        qualify(m, limits);
        return m;
    }
    return decode_whole(text, limits, std::move(storage));
}

Message decode_whole(std::string_view text, const DecodeLimits& limits, json::storage_ptr storage) {
    Message m(storage);
    json::parse_options opt;
    opt.max_depth = limits.max_depth;
    boost::system::error_code ec;
    m.root = plugrpc::parse_json(text, ec, storage, opt); // the message's storage (kept for a second parse)
    m.parsed_text = text;
    if (ec) {
        // Strings Go reads with U+FFFD (bytes that are not UTF-8, lone
        // surrogate escapes) fail the strict parse: read them Go's way, and
        // parse again. The ids are still taken from `text`, as sent.
        auto go_text = std::make_unique<std::string>();
        if (rewrite_go_strings(text, *go_text)) {
            ec = {};
            m.root = plugrpc::parse_json(*go_text, ec, std::move(storage), opt); // moved, not copied
            m.parsed_text = *go_text;
            m.go_text = std::move(go_text);
        }
    }
    const json::value& v = m.root;
    if (ec) {
        m.error_code = ParseError;
        m.error = "Parse error: " + ec.message();
        return m;
    }
    if (v.is_array()) {
        const auto& a = v.get_array();
        m.batch = true;
        if (a.empty()) {
            m.error_code = InvalidRequest;
            m.error = "Invalid Request: empty batch";
            return m;
        }
        if (a.size() > limits.max_batch) {
            m.error_code = InvalidRequest;
            m.error = "Invalid Request: batch of " + std::to_string(a.size()) + " calls is over the limit of " +
                      std::to_string(limits.max_batch);
            return m;
        }
        m.requests.reserve(a.size());
        const char* end = text.data() + text.size();
        const char* p = skip_spaces(skip_spaces(text.data(), end) + 1, end); // past '['
        for (const auto& e : a) {
            const char* e_end = skip_json_value(p, end);
            m.requests.push_back(decode_one(e, true));
            keep_id_text(m.requests.back(), std::string_view(p, static_cast<std::size_t>(e_end - p)));
            // Batches are a 2.0 feature: answer every element in 2.0 form.
            m.requests.back().dialect = Dialect::V2;
            p = skip_spaces(e_end, end);
            if (p != end && *p == ',') p = skip_spaces(p + 1, end);
        }
        qualify(m, limits);
        return m;
    }
    m.requests.push_back(decode_one(v, false));
    keep_id_text(m.requests.back(), text);
    qualify(m, limits);
    return m;
}

std::string echo_id_text(std::string_view raw, bool go_dialect) {
    boost::system::error_code ec;
    json::value id = plugrpc::parse_json(raw, ec);
    std::string go_text;
    if (ec && rewrite_go_strings(raw, go_text)) {
        ec = {};
        id = plugrpc::parse_json(go_text, ec);
    }
    if (raw.empty() || ec || (!go_dialect && !valid_id(id))) return "null";
    return compact(raw);
}

NumberLiterals Message::literals() const {
    if (parsed_text.empty()) return {};
    if (params_only) return NumberLiterals(parsed_text, &root.get_array()[Envelope::Params]);
    return NumberLiterals(parsed_text, &root);
}

void encode_error(std::string& out, Dialect dialect, const json::value& id, int code, std::string_view message) {
    std::string text;
    append_id(text, id);
    encode_error(out, dialect, RawId{text}, code, message);
}

void encode_reply(std::string& out, Dialect dialect, const json::value& id, const Outcome& o) {
    std::string text;
    append_id(text, id);
    encode_reply(out, dialect, RawId{text}, o);
}

void encode_error(std::string& out, Dialect dialect, RawId id, int code, std::string_view message) {
    if (dialect == Dialect::Go) {
        out += "{\"id\":";
        append_id(out, id);
        out += ",\"result\":null,\"error\":";
        append_escaped(out, message);
        out += '}';
        return;
    }
    out += "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":";
    out += std::to_string(code);
    out += ",\"message\":";
    append_escaped(out, message);
    out += "},\"id\":";
    append_id(out, id);
    out += '}';
}

Dialect guess_dialect(std::string_view text) {
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    for (;;) {
        if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
        else if (!text.empty() && (text[0] == ' ' || text[0] == '\n' || text[0] == '\r' || text[0] == '\t'))
            text.remove_prefix(1);
        else break;
    }
    // Go's encoding/json writes clientRequest's fields in order, unspaced.
    constexpr std::string_view kGoStart = R"({"method":")";
    if (text.substr(0, kGoStart.size()) != kGoStart) return Dialect::V2;
    return text.find(R"("jsonrpc")") == std::string_view::npos ? Dialect::Go : Dialect::V2;
}

void encode_reply(std::string& out, Dialect dialect, RawId id, const Outcome& o) {
    if (o.ok()) {
        // Infinity and NaN have no JSON text (a gob client may send them; a
        // plugin may return them): answer as Go's encoding/json would fail.
        if (const char* bad = unsupported_number(o.result)) {
            Outcome failed;
            failed.kind = Outcome::Kind::Internal;
            failed.error = std::string("json: unsupported value: ") + bad;
            return encode_reply(out, dialect, id, failed);
        }
        if (dialect == Dialect::Go) {
            out += "{\"id\":";
            append_id(out, id);
            out += ",\"result\":";
            append_result(out, o);
            out += ",\"error\":null}";
        } else {
            out += "{\"jsonrpc\":\"2.0\",\"result\":";
            append_result(out, o);
            out += ",\"id\":";
            append_id(out, id);
            out += '}';
        }
        return;
    }
    if (dialect == Dialect::Go) {
        encode_error(out, Dialect::Go, id, 0, o.error);
        return;
    }
    int code = ServerError;
    std::string message = o.error;
    switch (o.kind) {
    case Outcome::Kind::NotFound:
    case Outcome::Kind::IllFormed:
        code = MethodNotFound;
        message = "Method not found: " + o.error;
        break;
    case Outcome::Kind::InvalidParams:
        code = InvalidParams;
        message = "Invalid params: " + o.error;
        break;
    case Outcome::Kind::Internal:
        code = InternalError;
        message = "Internal error: " + o.error;
        break;
    case Outcome::Kind::Busy: code = ServerBusy; break;
    case Outcome::Kind::Overloaded: code = Overloaded; break;
    case Outcome::Kind::Refused: code = AccessRefused; break;
    default: break;
    }
    encode_error(out, Dialect::V2, id, code, message);
}

} // namespace plugrpc::jsonrpc
