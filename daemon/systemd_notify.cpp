#include "daemon/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <string>

namespace meshwatch {

void notify_ready() { sd_notify(0, "READY=1"); }
void notify_stopping() { sd_notify(0, "STOPPING=1"); }
void notify_status(std::string_view status) {
  std::string message = "STATUS=" + std::string(status);
  sd_notify(0, message.c_str());
}

}  // namespace meshwatch
