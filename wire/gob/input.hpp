// The bytes of one gob value.
//
// A value is normally one message. The exception is an interface value
// whose concrete type the peer describes for the first time: Go's encoder
// ends the message after that type definition and continues the value in
// the next message. ValueInput hides this: the walkers read from reader()
// and call next_message() where Go's decoder would read a new message.
#pragma once

#include "wire/gob/wire.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

namespace plugrpc::gob {

// Where further messages of a value come from while the stream is first
// scanned. pull() returns the next message's payload, or throws
// NeedMoreInput when it has not fully arrived yet.
class MessageSource {
public:
    virtual std::string_view pull() = 0;

protected:
    ~MessageSource() = default;
};

struct NeedMoreInput {};

class ValueInput {
public:
    // `messages` holds the payloads known so far, the first one starting
    // right after the value's type id. `more` may supply further messages.
    explicit ValueInput(std::vector<std::string_view>& messages, MessageSource* more = nullptr);

    Reader& reader() { return cur_; }
    void next_message();
    // Bytes left in this message and the recorded messages after it.
    std::size_t remaining() const;

private:
    std::vector<std::string_view>& messages_;
    MessageSource* more_;
    std::size_t index_ = 0;
    Reader cur_;
};

} // namespace plugrpc::gob
