# PROXY protocol v2 through real HAProxy (Debian's haproxy): label haproxy.
find_program(BASH bash REQUIRED)
add_test(NAME "haproxy: behind send-proxy-v2, access rules and the log see the client's address, and an untrusted proxy's header is refused"
  COMMAND ${BASH} ${CMAKE_CURRENT_LIST_DIR}/proxy_v2.sh $<TARGET_FILE:plugrpcd> $<TARGET_FILE:arith>)
set_tests_properties("haproxy: behind send-proxy-v2, access rules and the log see the client's address, and an untrusted proxy's header is refused"
  PROPERTIES LABELS haproxy TIMEOUT 120)
