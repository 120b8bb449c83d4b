# Debian's build flags, as debhelper hands them to a CMake build: compile and
# link everything with what `dpkg-buildflags` prints — _FORTIFY_SOURCE=2,
# -fstack-protector-strong, format-security errors, RELRO — with every
# hardening feature on (hardening=+all adds -z now; PIE is gcc's default on
# Debian), and the source folder mapped to "." in debug info. CPPFLAGS have
# no CMake variable of their own, so they join CFLAGS and CXXFLAGS, as
# debhelper's cmake build system joins them.
#
# Included by the top-level CMakeLists.txt when PLUGRPC_DPKG_BUILDFLAGS is ON
# (the `deb` preset), before any target is defined.
if(NOT DEFINED ENV{DEB_BUILD_MAINT_OPTIONS})
  set(ENV{DEB_BUILD_MAINT_OPTIONS} "hardening=+all")
endif()
find_program(DPKG_BUILDFLAGS dpkg-buildflags REQUIRED)
foreach(kind CFLAGS CXXFLAGS CPPFLAGS LDFLAGS)
  execute_process(COMMAND ${DPKG_BUILDFLAGS} --get ${kind}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    OUTPUT_VARIABLE dpkg_${kind} OUTPUT_STRIP_TRAILING_WHITESPACE
    COMMAND_ERROR_IS_FATAL ANY)
endforeach()
string(APPEND CMAKE_C_FLAGS " ${dpkg_CFLAGS} ${dpkg_CPPFLAGS}")
string(APPEND CMAKE_CXX_FLAGS " ${dpkg_CXXFLAGS} ${dpkg_CPPFLAGS}")
foreach(kind EXE SHARED MODULE)
  string(APPEND CMAKE_${kind}_LINKER_FLAGS " ${dpkg_LDFLAGS}")
endforeach()
message(STATUS "dpkg-buildflags (DEB_BUILD_MAINT_OPTIONS=$ENV{DEB_BUILD_MAINT_OPTIONS}): "
  "CXXFLAGS ${dpkg_CXXFLAGS} ${dpkg_CPPFLAGS}; LDFLAGS ${dpkg_LDFLAGS}")
