#include "config/secret_file.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace meshwatch {

std::string resolve_secret_path(std::string_view path, const std::string& config_dir, const env_lookup& env) {
  const std::filesystem::path p{path};
  if (p.is_absolute()) {
    return p.string();
  }
  if (std::optional<std::string> credentials = env("CREDENTIALS_DIRECTORY");
      credentials && !credentials->empty()) {
    return (std::filesystem::path{*credentials} / p).string();
  }
  return (std::filesystem::path{config_dir} / p).string();
}

parsed<secret> read_secret_file(const std::string& path) {
  using result = parsed<secret>;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return result::failure("cannot read '" + path + "': it is a directory");
  }
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    return result::failure("cannot read '" + path + "': " + std::generic_category().message(errno));
  }
  // Read one byte past the cap so "exactly at the cap" and "over it" can be told apart
  // without trusting the file size (a FIFO or /proc file has none).
  std::string content(max_secret_file_bytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) {
    return result::failure("cannot read '" + path + "': read error");
  }
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (content.size() > max_secret_file_bytes) {
    return result::failure("'" + path + "' is larger than " + std::to_string(max_secret_file_bytes) +
                           " bytes");
  }
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
    content.pop_back();
  }
  if (content.empty()) {
    return result::failure("'" + path + "' is empty");
  }
  return result::success(secret{std::move(content)});
}

}  // namespace meshwatch
