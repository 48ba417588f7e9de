# df_embed(OUTPUT file.cpp NAMESPACE ns BASE dir FILES a b … COMMENT text): a build step that turns the files
# (paths relative to BASE) into a C++ source with `std::string_view ns::embedded_file(name)` (embed.cmake).
function(df_embed)
  cmake_parse_arguments(arg "" "OUTPUT;NAMESPACE;BASE;COMMENT" "FILES" ${ARGN})
  list(TRANSFORM arg_FILES PREPEND "${arg_BASE}/" OUTPUT_VARIABLE paths)
  add_custom_command(
    OUTPUT ${arg_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${arg_OUTPUT} -DNAMESPACE=${arg_NAMESPACE} -DBASE=${arg_BASE}
            "-DFILES=${arg_FILES}" -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${paths} ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "${arg_COMMENT}"
    VERBATIM)
endfunction()
