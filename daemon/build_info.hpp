#pragma once
#include <string_view>

namespace meshwatch {

/** The release version (CMake project version) and the git revision it was built from. */
std::string_view build_version();
std::string_view build_revision();

}  // namespace meshwatch
