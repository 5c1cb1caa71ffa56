#pragma once
// The status page at `/` of the admin server: one self-contained HTML file (daemon/
// status_page.html, inline CSS and JS, no external assets) compiled into the binary. It
// renders itself from /status in the browser, so the server only hands out the bytes.
#include <string_view>

#include "daemon/admin_server.hpp"

namespace meshwatch {

/** The page's bytes, as embedded at build time. */
std::string_view status_page_html();

/**
 * `/`: the page with a Content-Security-Policy that allows only its own inline code and
 * fetches to this server, so nothing from elsewhere can ever be loaded by it.
 */
admin_response status_page_response();

}  // namespace meshwatch
