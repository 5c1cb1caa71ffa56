# ASan + UBSan for the whole build (tests included). g++ 12 miscompiles a few coroutine
# patterns (research/toolchain.md) in ways only ASan shows, so CI builds this too.
if(MESHWATCH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
