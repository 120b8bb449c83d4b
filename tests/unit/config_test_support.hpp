// Helpers for the config tests (config_test.cpp, config_balancer_test.cpp):
// parse a config text as "test.toml" and expect it to be taken or refused.
#pragma once

#include "daemon/config/config.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

namespace configtest {

// The config `text` gives; the test stops if it is refused.
inline plugrpc::Config parse_ok(std::string_view text) {
    plugrpc::ConfigResult r = plugrpc::parse_config(text, "test.toml");
    INFO(text << "\n-> " << r.error);
    REQUIRE(r.config);
    CHECK(r.error.empty());
    return *r.config;
}

// The error `text` is refused with (checked to be refused).
inline std::string parse_error(std::string_view text) {
    plugrpc::ConfigResult r = plugrpc::parse_config(text, "test.toml");
    INFO(text);
    CHECK_FALSE(r.config);
    return r.error;
}

} // namespace configtest
