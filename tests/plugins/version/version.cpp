// A test plugin built twice, as "a" and "b" (VERSION_TAG), to see reloads
// swap one version for another. Version.Get answers its tag; Version.Hold
// sleeps, then answers its tag, so a call can span a reload.
#include <plugrpc/plugin.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace version {

struct Empty {};
BOOST_DESCRIBE_STRUCT(Empty, (), ())

struct HoldArgs {
    std::int64_t Millis;
};
BOOST_DESCRIBE_STRUCT(HoldArgs, (), (Millis))

struct Version {
    plugrpc::Status Get(const Empty&, std::string& tag) {
        tag = VERSION_TAG;
        return {};
    }
    plugrpc::Status Hold(const HoldArgs& args, std::string& tag) {
        std::this_thread::sleep_for(std::chrono::milliseconds(args.Millis));
        tag = VERSION_TAG;
        return {};
    }
};
BOOST_DESCRIBE_STRUCT(Version, (), (Get, Hold))

} // namespace version

PLUGRPC_PLUGIN("version", VERSION_TAG, "Test plugin: answers which build it is") {
    plugin.add<version::Version>({.blocking = {"Hold"}});
}
