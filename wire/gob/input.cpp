#include "wire/gob/input.hpp"

namespace plugrpc::gob {

ValueInput::ValueInput(std::vector<std::string_view>& messages, MessageSource* more)
    : messages_(messages), more_(more) {
    if (!messages_.empty()) cur_ = Reader(messages_[0]);
}

void ValueInput::next_message() {
    if (index_ + 1 < messages_.size()) {
        cur_ = Reader(messages_[++index_]);
        return;
    }
    if (!more_) throw Error("unexpected EOF");
    messages_.push_back(more_->pull());
    cur_ = Reader(messages_[++index_]);
}

std::size_t ValueInput::remaining() const {
    std::size_t n = cur_.remaining();
    for (std::size_t i = index_ + 1; i < messages_.size(); ++i) n += messages_[i].size();
    return n;
}

} // namespace plugrpc::gob
