// The server's ArgsReader (envelope.hpp): the usual request's params read
// straight into the text its method gets, when the method's schema lets
// them be read the short way (schema/plain_args.hpp). No value is built,
// and the method is looked up once.
#pragma once

#include "codec/jsonrpc/envelope.hpp"
#include "rpc/dispatcher.hpp"

#include <string>
#include <string_view>

namespace plugrpc::jsonrpc {

class PlainArgsReader final : public ArgsReader {
public:
    // The arguments' text is appended to `text`, which must be empty.
    PlainArgsReader(Dispatcher& dispatcher, std::string& text) : dispatcher_(dispatcher), text_(text) {}

    // JSON-RPC 2.0 params as an object; Go's [arg], arg an object.
    bool read(std::string_view method, bool v2, std::string_view params) override;

    // What read() took: the method, and its arguments' canonical text.
    MethodPtr take_method() { return std::move(method_); }
    std::string_view text() const { return text_; }

private:
    Dispatcher& dispatcher_;
    std::string& text_;
    MethodPtr method_;
};

} // namespace plugrpc::jsonrpc
