# Warnings live on an INTERFACE target that every first-party target links PRIVATE,
# so third-party headers (marked SYSTEM) never trip -Werror.
add_library(meshwatch_warnings INTERFACE)
target_compile_options(meshwatch_warnings INTERFACE -Wall -Wextra -Wpedantic)
# g++ 12 at -O2/-O3 reports -Wrestrict for plain std::string concatenation (GCC bug 105329,
# a known false positive inside libstdc++); keeping it would turn -Werror builds red at random.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(meshwatch_warnings INTERFACE -Wno-restrict)
endif()
if(MESHWATCH_WERROR)
  target_compile_options(meshwatch_warnings INTERFACE -Werror)
endif()
