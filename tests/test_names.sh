#!/bin/sh
# test_names.sh BINARY...: every Catch2 test case's name is one CTest runs.
# catch_discover_tests cuts a name at ';' (a CMake list), and a name with
# a '\' does not match itself as a filter: either way CTest gets entries
# that run nothing ("No test cases matched") and pass.
status=0
for bin in "$@"; do
    # (Catch2 2 exits with the number of names it listed: not a status.)
    names=$("$bin" --list-test-names-only 2>&1)
    if [ -z "$names" ]; then
        echo "$(basename "$bin"): lists no test cases"
        status=1
        continue
    fi
    bad=$(printf '%s\n' "$names" | grep -E '[;\\]')
    if [ -n "$bad" ]; then
        printf '%s: test names CTest cannot run (no %s or %s in a name):\n' "$(basename "$bin")" "';'" "'\\'"
        printf '%s\n' "$bad" | sed 's/^/  /'
        status=1
    fi
done
exit $status
