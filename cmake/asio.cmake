# Asio and Beast are header-only; compiling their implementation once (separate compilation)
# instead of in every TU keeps a clean Release build within minutes on 2 cores.
add_library(meshwatch_asio STATIC ${PROJECT_SOURCE_DIR}/cmake/asio_impl.cpp)
target_compile_definitions(meshwatch_asio PUBLIC
  BOOST_ASIO_SEPARATE_COMPILATION
  BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(meshwatch_asio PUBLIC Boost::headers Threads::Threads)
