# Run by CPack (CPACK_PRE_BUILD_SCRIPTS) on the staged files of every package
# before the .debs are made, doing what dh_strip does that CPack does not:
#
#   static libraries   strip --strip-debug (their symbol tables stay, so
#                      they still link), without .comment and .note, with
#                      deterministic archive headers
#   ELF executables    .comment and .note removed; their debug info stays
#   and plugins        for the DEB generator, which then moves it into
#                      plugrpcd-dbgsym (objcopy --only-keep-debug, then
#                      --strip-unneeded and --add-gnu-debuglink)
if(NOT IS_DIRECTORY "${CPACK_TEMPORARY_DIRECTORY}")
  message(FATAL_ERROR "strip-staged: no staging folder '${CPACK_TEMPORARY_DIRECTORY}'")
endif()
file(GLOB_RECURSE staged LIST_DIRECTORIES false "${CPACK_TEMPORARY_DIRECTORY}/*")
foreach(file IN LISTS staged)
  if(IS_SYMLINK "${file}")
    continue()
  endif()
  file(READ "${file}" magic LIMIT 8 HEX)
  if(magic STREQUAL "213c617263683e0a") # "!<arch>\n"
    execute_process(COMMAND "${CPACK_PLUGRPC_STRIP}" --strip-debug --remove-section=.comment
                            --remove-section=.note --enable-deterministic-archives "${file}"
                    COMMAND_ERROR_IS_FATAL ANY)
    message(STATUS "strip-staged: stripped ${file}")
  elseif(magic MATCHES "^7f454c46") # ELF
    execute_process(COMMAND "${CPACK_PLUGRPC_OBJCOPY}" --remove-section=.comment --remove-section=.note "${file}"
                    COMMAND_ERROR_IS_FATAL ANY)
  endif()
endforeach()
