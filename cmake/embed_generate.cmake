# Script mode helper of embed.cmake: writes the bytes of INPUT as a char array.
# Hex bytes, not a raw string literal, so any content (quotes, `)"`) is safe.
file(READ "${INPUT}" content HEX)
string(LENGTH "${content}" hex_length)
math(EXPR byte_count "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE "${OUTPUT}"
"// Generated from ${INPUT} by cmake/embed_generate.cmake. Do not edit.\n"
"#include <string_view>\n"
"namespace meshwatch::embedded {\n"
"namespace { constexpr char data[] = {${bytes} '\\0'}; }\n"
"std::string_view ${SYMBOL}() { return {data, ${byte_count}}; }\n"
"}\n")
