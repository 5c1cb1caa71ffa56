#pragma once
// Who may use the admin server when `admin.bearer_token` is set. API clients (Prometheus,
// `meshwatch status`, curl) send the token as a bearer token; a browser cannot, so the token is
// also accepted as the password of HTTP Basic credentials, which the browser's own login prompt
// sends (any user name) and then repeats for the status page's refreshes of /status.
#include <string_view>
#include <utility>
#include <vector>

namespace meshwatch {

/**
 * Whether the request's `Authorization` header value carries `token`: `Bearer <token>` or
 * `Basic base64(<user>:<token>)`. Scheme names are case-insensitive; the comparison of the secret
 * takes the same time wherever a guess goes wrong. An empty token authorises nobody.
 */
bool admin_authorized(std::string_view authorization, std::string_view token);

/** The `WWW-Authenticate` challenges of a 401: Bearer, and Basic so that a browser prompts. */
std::vector<std::pair<std::string, std::string>> admin_auth_challenges();

}  // namespace meshwatch
