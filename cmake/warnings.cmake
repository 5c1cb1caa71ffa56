# Warnings live on an INTERFACE target that every first-party target links PRIVATE,
# so third-party headers (marked SYSTEM) never trip -Werror.
add_library(meshwatch_warnings INTERFACE)
target_compile_options(meshwatch_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(MESHWATCH_WERROR)
  target_compile_options(meshwatch_warnings INTERFACE -Werror)
endif()
