# Every third-party dependency, found once. All come from Debian 12 packages (scripts/deps).
find_package(Threads REQUIRED)

# Boost is pinned to 1.81: 1.74 (Debian's default) lacks the Asio cancellation and
# awaitable operators the probes rely on.
find_package(Boost 1.81...<1.82 CONFIG REQUIRED COMPONENTS json url)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)   # the package ships no version file
find_package(yaml-cpp CONFIG REQUIRED)         # target: yaml-cpp

find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

# RapidJSON's CMake config defines no target; wrap its include dir in one.
find_package(RapidJSON CONFIG REQUIRED)
add_library(meshwatch_rapidjson INTERFACE)
target_include_directories(meshwatch_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
# std::string support; 64-bit sizes so bodies near the cap never overflow.
target_compile_definitions(meshwatch_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
