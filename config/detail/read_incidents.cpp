// The `incidents:` section: where the incident log goes and how large it may grow.

#include <filesystem>

#include "config/detail/sections.hpp"

namespace meshwatch::detail {

incidents_config read_incidents(reader& r, const located& at) {
  incidents_config c;
  const mapping m{r, at, {"log", "max_file_bytes", "rotated_files"}};
  if (std::optional<located> log = m.find("log")) {
    if (std::optional<std::string> text = read_string(r, *log)) {
      const std::filesystem::path path{*text};
      if (text->back() == '/') {
        r.error(*log, log->path + " must name a file, not a directory: '" + *text + "'");
      } else {
        // Resolved now: the daemon's working directory (/ under systemd) is not the config's.
        c.log = (path.is_absolute() ? path : std::filesystem::path{r.config_dir()} / path)
                    .lexically_normal()
                    .string();
      }
    }
  }
  // A line is one incident (at most a few hundred KiB); below 64 KiB every incident would rotate.
  if (std::optional<located> v = m.find("max_file_bytes")) {
    c.max_file_bytes = static_cast<std::uint64_t>(read_int(r, *v, 64 * 1024, std::int64_t{1} << 30)
                                                      .value_or(static_cast<std::int64_t>(c.max_file_bytes)));
  }
  if (std::optional<located> v = m.find("rotated_files")) {
    c.rotated_files = static_cast<int>(read_int(r, *v, 0, 100).value_or(c.rotated_files));
  }
  return c;
}

}  // namespace meshwatch::detail
