# meshwatch_embed_text(<target> <symbol> <file>): compiles <file>'s bytes into <target> as
# `std::string_view meshwatch::embedded::<symbol>()`. Used for the default config, so the
# binary needs no data files at run time. Regenerated whenever the file changes.
function(meshwatch_embed_text target symbol file)
  set(out_cpp "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp")
  add_custom_command(
    OUTPUT "${out_cpp}"
    COMMAND ${CMAKE_COMMAND} -DINPUT=${file} -DOUTPUT=${out_cpp} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake
    DEPENDS "${file}" ${PROJECT_SOURCE_DIR}/cmake/embed_generate.cmake
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE "${out_cpp}")
endfunction()
