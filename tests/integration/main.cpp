// The integration tests' main(): each TEST_CASE starts its own plugrpcd.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
