#pragma once
// The one reload step behind both SIGHUP and `POST /-/reload`: load the config file again,
// decide whether the running daemon can take it, apply it (or refuse and keep the old one),
// count the result and log why. Runs on the daemon's loop thread.
#include <functional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/loader.hpp"
#include "daemon/config_reload.hpp"

namespace prometheus {
class Registry;
}

namespace meshwatch {

class reloader {
 public:
  /** Loads the config file again (the same path the daemon started with). */
  using load_fn = std::function<load_result()>;
  /** Swaps the live parts (probes, defaults) to `next`; throws to refuse, with the reason. */
  using apply_fn = std::function<void(const config& next)>;

  reloader(config running, load_fn load, apply_fn apply, prometheus::Registry& registry);

  /**
   * One reload: `trigger` ("SIGHUP", "POST /-/reload") prefixes the log line. On anything but
   * `applied` the running config stays as it was.
   */
  reload_decision reload(std::string_view trigger);

  const config& running() const { return running_; }

 private:
  config running_;
  load_fn load_;
  apply_fn apply_;
  reload_metrics metrics_;
};

/**
 * The HTTP status of a reload answer: 200 applied/unchanged (the file is what runs now), 400
 * invalid (fix the file), 409 restart_required (valid, but conflicts with what is running).
 */
int reload_http_status(reload_outcome outcome);

/** `{"result":"applied|unchanged|invalid|restart_required","why":"..."}` */
std::string reload_response_json(const reload_decision& decision);

}  // namespace meshwatch
