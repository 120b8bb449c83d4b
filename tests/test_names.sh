#!/bin/sh
# test_names.sh BINARY...: every Catch2 test case's name is one CTest runs.
# catch_discover_tests cuts a name at ';' (a CMake list), and a name with
# a '\' does not match itself as a filter: either way CTest gets entries
# that run nothing ("No test cases matched") and pass.
status=0
for bin in "$@"; do
    bad=$("$bin" --list-test-names-only | grep -E '[;\\]')
    if [ -n "$bad" ]; then
        echo "$(basename "$bin"): test names CTest cannot run (no ';' or '\\' in a name):"
        echo "$bad" | sed 's/^/  /'
        status=1
    fi
done
exit $status
