#include "daemon/build_info.hpp"

namespace meshwatch {

// Injected by daemon/CMakeLists.txt at configure time, so only this file rebuilds on a new commit.
std::string_view build_version() { return MESHWATCH_BUILD_VERSION; }
std::string_view build_revision() { return MESHWATCH_BUILD_REVISION; }

}  // namespace meshwatch
