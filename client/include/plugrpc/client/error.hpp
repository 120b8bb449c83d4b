// What a call returns: the reply, or an Error that says whose fault it was.
//
//     plugrpc::client::Result<std::int64_t> r = client.call<std::int64_t>("Arith.Divide", args);
//     if (!r) {
//         if (r.error().kind == ErrorKind::Server) ...  // "divide by zero", verbatim
//         else ...                                      // the connection, a timeout, ...
//     }
//
// Result is boost::system::result<T, Error>: `r.value()` throws CallFailed
// when it holds an error; `*r` does not check.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>

namespace plugrpc::client {

enum class ErrorKind {
    Server,    // the server answered with an error: a method's own text, an unknown method, bad params
    Transport, // connect, read or write failed; the peer broke the protocol; a reply over the size limit
    Timeout,   // no reply within the call's timeout (the connection stays usable)
    Shutdown,  // the client was closed, or its connection had dropped: "connection is shut down"
    Reply,     // a reply arrived but does not fit the Reply type ("reading body ...")
    Usage,     // the call was not sent: arguments that cannot be encoded, too many calls in flight, ...
};

const char* kind_name(ErrorKind k);

// Go's rpc.ErrShutdown text.
inline constexpr const char* kShutdownText = "connection is shut down";

struct Error {
    ErrorKind kind = ErrorKind::Transport;
    std::string message; // for Server errors the server's text as sent
    int code = 0;        // JSON-RPC 2.0 error code of a Server error (-32601, ...); 0 otherwise

    bool is_server() const { return kind == ErrorKind::Server; }
};

// What Result::value() throws.
class CallFailed : public std::runtime_error {
public:
    explicit CallFailed(Error e) : std::runtime_error(e.message), error_(std::move(e)) {}
    const Error& error() const { return error_; }

private:
    Error error_;
};

template <class T>
using Result = boost::system::result<T, Error>;

// Found by Result::value() through ADL.
[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location&) {
    throw CallFailed(e);
}

} // namespace plugrpc::client
