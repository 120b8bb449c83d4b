// Catch2's main(), compiled once for the unit and the integration tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
