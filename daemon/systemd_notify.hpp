#pragma once
// sd_notify(3) wrappers. All are no-ops when NOTIFY_SOCKET is unset (not under systemd).
#include <string_view>

namespace meshwatch {

void notify_ready();
void notify_stopping();
void notify_status(std::string_view status);

}  // namespace meshwatch
