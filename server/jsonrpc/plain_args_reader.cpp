#include "server/jsonrpc/plain_args_reader.hpp"

#include "server/jsonrpc/plain_args.hpp"

#include <plugrpc/json_scan.hpp>

namespace plugrpc::jsonrpc {
namespace {

// Go's params, [arg]: the text between the brackets (normalize_plain_args
// then reads it as one object, or declines).
bool inside_brackets(std::string_view& text) {
    while (!text.empty() && json_scan::space(text.front())) text.remove_prefix(1);
    while (!text.empty() && json_scan::space(text.back())) text.remove_suffix(1);
    if (text.size() < 2 || text.front() != '[' || text.back() != ']') return false;
    text = text.substr(1, text.size() - 2);
    return true;
}

} // namespace

bool PlainArgsReader::read(std::string_view method, bool v2, std::string_view params) {
    asked_ = method;
    method_ = dispatcher_.plugin_method(method);
    if (!method_ || (!v2 && !inside_brackets(params))) return false;
    return normalize_plain_args(params, *method_->args, text_);
}

MethodPtr PlainArgsReader::method_for(std::string_view service_method) {
    if (!method_ || asked_ != service_method) return nullptr;
    return std::move(method_);
}

} // namespace plugrpc::jsonrpc
