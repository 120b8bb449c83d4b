// The methods JSON-RPC 2.0's examples call (section 7): subtract by position
// and by name, sum of any count of numbers, get_data answering a mixed array,
// and the notifications update, notify_hello, notify_sum. Methods that take
// or give boost::json::value see params, and answer results, as any JSON.
#include <plugrpc/plugin.hpp>

#include <atomic>
#include <cstdint>

namespace {

struct Operands {
    std::int64_t minuend = 0, subtrahend = 0;
};
BOOST_DESCRIBE_STRUCT(Operands, (), (minuend, subtrahend))

// The integers of a params array ([1,2,4]); false with why for anything else.
bool integers(const boost::json::value& params, std::int64_t& sum, std::string& why) {
    const boost::json::array* a = params.if_array();
    if (!a) return why = "params: expected an array of integers", false;
    sum = 0;
    for (const auto& e : *a) {
        if (!e.is_int64()) return why = "params: expected an array of integers", false;
        sum += e.get_int64();
    }
    return true;
}

struct Spec {
    std::atomic<std::int64_t> notified{0};

    plugrpc::Status subtract(const Operands& a, std::int64_t& reply) {
        reply = a.minuend - a.subtrahend;
        return {};
    }
    plugrpc::Status sum(const boost::json::value& params, std::int64_t& reply) {
        std::string why;
        if (!integers(params, reply, why)) return plugrpc::Error(why);
        return {};
    }
    plugrpc::Status get_data(const boost::json::value&, boost::json::value& reply) {
        reply = boost::json::array{"hello", 5};
        return {};
    }
    // Notifications: nobody reads their answer; Spec.notified counts them.
    plugrpc::Status update(const boost::json::value&, boost::json::value&) { return note(); }
    plugrpc::Status notify_hello(const boost::json::value&, boost::json::value&) { return note(); }
    plugrpc::Status notify_sum(const boost::json::value& params, std::int64_t& reply) {
        std::string why;
        if (!integers(params, reply, why)) return plugrpc::Error(why);
        return note();
    }
    // How many notifications ran.
    plugrpc::Status Notified(const boost::json::value&, std::int64_t& reply) {
        reply = notified.load();
        return {};
    }

private:
    plugrpc::Status note() {
        notified.fetch_add(1);
        return {};
    }
};
BOOST_DESCRIBE_STRUCT(Spec, (), (subtract, sum, get_data, update, notify_hello, notify_sum, Notified))

} // namespace

PLUGRPC_PLUGIN("spec7", "1.0.0", "The methods of JSON-RPC 2.0's examples") {
    plugin.add<Spec>();
}
