#include "go_type.hpp"

#include <cctype>
#include <charconv>
#include <memory>
#include <vector>

namespace plugrpc::cli {

namespace {

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    SchemaResult parse() {
        SchemaPtr s = type("Args", 0);
        skip_space();
        if (s && pos_ != text_.size()) s = fail("unexpected text");
        if (!s) return {nullptr, error_};
        return {std::move(s), {}};
    }

private:
    SchemaPtr type(const std::string& name, unsigned depth) {
        if (depth > kMaxSchemaDepth) return fail("nested too deep");
        skip_space();
        auto s = std::make_shared<Schema>();
        if (eat("[]")) {
            SchemaPtr elem = type(name, depth + 1);
            if (!elem) return nullptr;
            if (elem->kind == Kind::Uint && elem->bits == 8) return kind(Kind::Bytes);
            s->kind = Kind::Slice;
            s->elem = std::move(elem);
            return s;
        }
        if (eat("[")) {
            std::size_t begin = pos_;
            while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
            auto [end, ec] = std::from_chars(text_.data() + begin, text_.data() + pos_, s->length);
            if (begin == pos_ || ec != std::errc() || s->length > (1u << 20)) return fail("expected an array length");
            (void)end;
            if (!eat("]")) return fail("expected ]");
            if (!(s->elem = type(name, depth + 1))) return nullptr;
            s->kind = Kind::Array;
            return s;
        }
        if (eat_word("map")) {
            if (!eat("[")) return fail("expected [ after map");
            if (!(s->key = type(name, depth + 1))) return nullptr;
            if (s->key->kind != Kind::String && s->key->kind != Kind::Int && s->key->kind != Kind::Uint)
                return fail("a map key must be a string or an integer type");
            if (!eat("]")) return fail("expected ]");
            if (!(s->elem = type(name, depth + 1))) return nullptr;
            s->kind = Kind::Map;
            return s;
        }
        if (eat_word("struct")) return structure(name, depth);
        std::string_view w = word();
        if (w == "bool") return kind(Kind::Bool);
        if (w == "string") return kind(Kind::String);
        if (w == "float64") return kind(Kind::Float);
        if (w == "float32") return kind(Kind::Float, 32);
        if (w == "int" || w == "int64") return kind(Kind::Int);
        if (w == "uint" || w == "uint64" || w == "uintptr") return kind(Kind::Uint);
        if (w == "byte") return kind(Kind::Uint, 8);
        for (unsigned bits : {8u, 16u, 32u}) {
            if (w == "int" + std::to_string(bits)) return kind(Kind::Int, bits);
            if (w == "uint" + std::to_string(bits)) return kind(Kind::Uint, bits);
        }
        pos_ -= w.size();
        return fail(w.empty() ? "expected a type" : "unknown type " + std::string(w));
    }

    SchemaPtr structure(const std::string& name, unsigned depth) {
        auto s = std::make_shared<Schema>();
        s->kind = Kind::Struct;
        s->name = name;
        if (!eat("{")) return fail("expected { after struct");
        while (!eat("}")) {
            // A, B int  — names, then their type
            std::vector<std::string> names;
            do {
                skip_space();
                std::string_view n = word();
                if (n.empty()) return fail("expected a field name");
                names.emplace_back(n);
            } while (eat(","));
            SchemaPtr t = type(names.front(), depth + 1);
            if (!t) return nullptr;
            for (auto& n : names) {
                for (const Field& f : s->fields)
                    if (f.name == n) return fail("field " + n + " given twice");
                s->fields.emplace_back(n, t);
            }
            skip_space();
            if (!eat(";") && !eat(",") && (pos_ >= text_.size() || text_[pos_] != '}'))
                return fail("expected ; or } after a field");
        }
        return s;
    }

    SchemaPtr kind(Kind k, unsigned bits = 64) {
        auto s = std::make_shared<Schema>();
        s->kind = k;
        s->bits = bits;
        return s;
    }

    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }

    bool eat(std::string_view token) {
        skip_space();
        if (text_.substr(pos_, token.size()) != token) return false;
        pos_ += token.size();
        return true;
    }

    std::string_view word() {
        skip_space();
        std::size_t begin = pos_;
        while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
            ++pos_;
        return text_.substr(begin, pos_ - begin);
    }

    bool eat_word(std::string_view w) {
        skip_space();
        std::size_t save = pos_;
        if (word() == w) return true;
        pos_ = save;
        return false;
    }

    SchemaPtr fail(std::string why) {
        if (error_.empty()) error_ = "at " + std::to_string(pos_ + 1) + ": " + why;
        return nullptr;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::string error_;
};

} // namespace

SchemaResult parse_go_type(std::string_view text) { return Parser(text).parse(); }

} // namespace plugrpc::cli
