#include "wire/jsonrpc/value_skipper.hpp"

namespace plugrpc::jsonrpc {

namespace {
bool json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
} // namespace

// JSON-RPC 2.0's id is kept only if it is a scalar JSON can echo: a
// string, a number or null (an object, array or boolean id is not an id
// JSON-RPC knows); Go's server echoes whatever its id was.
void ValueSkipper::end_id() {
    capturing_ = false;
    while (!id_.empty() && json_space(id_.back())) id_.pop_back();
    bool fits = !id_.empty() && id_.size() <= kMaxIdBytes;
    if (key_go_id_) go_id_ = {fits ? id_ : std::string(), fits};
    if (key_exact_id_) {
        char c = fits ? id_.front() : '\0';
        bool scalar = c == '"' || c == '-' || (c >= '0' && c <= '9') || id_ == "null";
        exact_id_ = {fits && scalar ? id_ : std::string(), fits && scalar};
    }
}

ValueSkipper::Status ValueSkipper::feed(std::string_view bytes, std::size_t& used) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        ++size_;
        const std::size_t depth = open_.size();
        if (capturing_ && !(depth == 1 && !in_string_ && (c == ',' || c == '}'))) {
            if (id_.size() <= kMaxIdBytes && !(id_.empty() && json_space(c))) id_ += c;
        }
        if (in_string_) {
            if (escape_) escape_ = false;
            else if (c == '\\') escape_ = true;
            else if (c == '"') {
                in_string_ = false;
                if (depth == 1 && member_ == Member::Key) {
                    key_exact_id_ = key_ == "id";
                    key_go_id_ = key_.size() == 2 && (key_[0] | 0x20) == 'i' && (key_[1] | 0x20) == 'd';
                    member_ = Member::Colon;
                }
            } else if (depth == 1 && member_ == Member::Key && key_.size() < 3) {
                key_ += c;
            }
            continue;
        }
        if (json_space(c)) continue;
        if (depth == 0 && c != '{' && c != '[') return Status::Garbage;
        switch (c) {
        case '"':
            in_string_ = true;
            if (depth == 1 && member_ == Member::None && open_.back() == '{') {
                member_ = Member::Key;
                key_.clear();
            }
            break;
        case ':':
            if (depth == 1 && member_ == Member::Colon) {
                member_ = Member::Value;
                if (key_exact_id_ || key_go_id_) {
                    capturing_ = true;
                    id_.clear();
                }
            }
            break;
        case ',':
            if (depth == 1) {
                if (capturing_) end_id();
                member_ = Member::None;
            }
            break;
        case '{':
        case '[':
            if (depth >= max_depth_) return Status::TooDeep;
            open_.push_back(c);
            break;
        case '}':
        case ']':
            if (open_.back() != (c == '}' ? '{' : '[')) return Status::Mismatched;
            if (depth == 1 && capturing_) end_id();
            open_.pop_back();
            if (open_.empty()) {
                used = i + 1;
                return Status::Done;
            }
            break;
        default:
            break;
        }
    }
    used = bytes.size();
    return Status::NeedMore;
}

} // namespace plugrpc::jsonrpc
