# plugrpc_add_plugin(<name> SOURCES <src>... [OUTPUT_NAME <file-stem>])
#
# Build a plugrpcd plugin: a MODULE library named <name>.so (no "lib"
# prefix), every symbol hidden but the entry block that PLUGRPC_PLUGIN (or, in
# C, PLRPC_EXPORT) exports, linked with --no-undefined so a missing symbol
# fails the build instead of the daemon's dlopen. It links plugrpc::sdk, which
# brings the headers, C++20 and Boost.JSON. Add more with
# target_link_libraries(<name> PRIVATE ...).
#
# Used in the plugrpc tree and, installed, by find_package(plugrpc):
#
#     find_package(plugrpc 0.1 REQUIRED)
#     plugrpc_add_plugin(greeter SOURCES greeter.cpp)
#     install(TARGETS greeter LIBRARY DESTINATION ${PLUGRPC_PLUGIN_INSTALL_DIR})
include_guard(GLOBAL)

function(plugrpc_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 P "" "OUTPUT_NAME" "SOURCES")
  if(NOT P_SOURCES AND NOT P_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "plugrpc_add_plugin(${name}): no SOURCES")
  endif()
  add_library(${name} MODULE ${P_SOURCES} ${P_UNPARSED_ARGUMENTS})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(P_OUTPUT_NAME)
    set_target_properties(${name} PROPERTIES OUTPUT_NAME ${P_OUTPUT_NAME})
  endif()
  target_link_libraries(${name} PRIVATE plugrpc::sdk)
  target_link_options(${name} PRIVATE -Wl,--no-undefined)
endfunction()
