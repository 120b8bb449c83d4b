// The server's ArgsReader (envelope.hpp): the usual request's params read
// straight into the text its method gets, when the method's schema lets
// them be read the short way (server/jsonrpc/plain_args.hpp). No value is built.
// The method is looked up once either way: when the reader declines, the
// call goes on with the method it found (method_for()).
#pragma once

#include "wire/jsonrpc/envelope.hpp"
#include "server/rpc/dispatcher.hpp"

#include <string>
#include <string_view>

namespace plugrpc::jsonrpc {

class PlainArgsReader final : public ArgsReader {
public:
    // The arguments' text is appended to `text`, which must be empty.
    PlainArgsReader(Dispatcher& dispatcher, std::string& text) : dispatcher_(dispatcher), text_(text) {}

    // JSON-RPC 2.0 params as an object; Go's [arg], arg an object.
    bool read(std::string_view method, bool v2, std::string_view params) override;

    // The method read() looked up, if it was asked for `service_method`
    // and found it (whether or not it took the params); null otherwise.
    MethodPtr method_for(std::string_view service_method);
    // The arguments' canonical text, when read() took them.
    std::string_view text() const { return text_; }

private:
    Dispatcher& dispatcher_;
    std::string& text_;
    std::string_view asked_; // the name read() was asked for (in the message's text)
    MethodPtr method_;       // what it found for it
};

} // namespace plugrpc::jsonrpc
