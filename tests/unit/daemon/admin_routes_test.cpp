// The admin route table without sockets: methods, 404/405, the token (Bearer or Basic), handler errors,
// and the two routes this file's server adds to the daemon (/ and POST /-/reload).
#include <gtest/gtest.h>

#include <stdexcept>

#include "daemon/admin_server.hpp"
#include "daemon/status_page.hpp"

namespace meshwatch {
namespace {

std::string header(const admin_response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

admin_routes sample_routes(std::optional<std::string> token = {}) {
  admin_routes routes(std::move(token));
  routes.add(admin_method::get, "/status", [] { return admin_response{200, "application/json", "{}", {}}; });
  routes.add(admin_method::post, "/-/reload", [] {
    return admin_response{200, "application/json", "reloaded", {}};
  });
  routes.add(admin_method::get, "/boom", []() -> admin_response { throw std::runtime_error("handler bug"); });
  return routes;
}

TEST(admin_routes, get_and_head_reach_get_routes_with_query_ignored) {
  auto routes = sample_routes();
  EXPECT_EQ(routes.dispatch("GET", "/status?x=1", "").body, "{}");
  EXPECT_EQ(routes.dispatch("HEAD", "/status", "").status, 200);
}

TEST(admin_routes, post_reaches_post_routes_only) {
  auto routes = sample_routes();
  auto posted = routes.dispatch("POST", "/-/reload", "");
  EXPECT_EQ(posted.status, 200);
  EXPECT_EQ(posted.body, "reloaded");

  auto post_to_get = routes.dispatch("POST", "/status", "");
  EXPECT_EQ(post_to_get.status, 405);
  EXPECT_EQ(header(post_to_get, "Allow"), "GET, HEAD");
}

TEST(admin_routes, reload_refuses_every_other_method_with_allow_post) {
  auto routes = sample_routes();
  for (const char* method : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    auto r = routes.dispatch(method, "/-/reload", "");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(header(r, "Allow"), "POST") << method;
    EXPECT_NE(r.body, "reloaded") << method;
  }
}

TEST(admin_routes, unknown_paths_are_404_for_any_method) {
  auto routes = sample_routes();
  EXPECT_EQ(routes.dispatch("GET", "/nope", "").status, 404);
  EXPECT_EQ(routes.dispatch("POST", "/-/reload/more", "").status, 404);
  EXPECT_EQ(routes.dispatch("POST", "/-/Reload", "").status, 404);
}

TEST(admin_routes, handler_exception_is_a_500_not_a_crash) {
  auto routes = sample_routes();
  auto r = routes.dispatch("GET", "/boom", "");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "internal error\n");  // the exception text stays in the log
}

TEST(admin_routes, bearer_token_guards_every_route_and_method) {
  auto routes = sample_routes("s3cret");
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/status"}, {"POST", "/-/reload"}, {"GET", "/nope"}, {"GET", "/"}}) {
    auto r = routes.dispatch(method, path, "");
    EXPECT_EQ(r.status, 401) << method << " " << path;
    std::vector<std::string> challenges;
    for (const auto& [k, v] : r.headers) {
      if (k == "WWW-Authenticate") challenges.push_back(v);
    }
    EXPECT_EQ(challenges,
              (std::vector<std::string>{"Bearer", "Basic realm=\"meshwatch\", charset=\"UTF-8\""}));
  }
  EXPECT_EQ(routes.dispatch("POST", "/-/reload", "Bearer wrong").status, 401);
  EXPECT_EQ(routes.dispatch("POST", "/-/reload", "Bearer s3cre").status, 401);
  EXPECT_EQ(routes.dispatch("POST", "/-/reload", "Bearer s3cret2").status, 401);
  EXPECT_EQ(routes.dispatch("POST", "/-/reload", "Basic s3cret").status, 401);  // not base64 of user:token
  EXPECT_EQ(routes.dispatch("GET", "/status", "Basic YnJvd3NlcjpzM2NyZXQ=").status, 200);  // browser:s3cret
  EXPECT_EQ(routes.dispatch("POST", "/-/reload", "s3cret").status, 401);
  EXPECT_EQ(routes.dispatch("POST", "/-/reload", "Bearer s3cret").body, "reloaded");
  EXPECT_EQ(routes.dispatch("GET", "/status", "Bearer s3cret").status, 200);
}

TEST(admin_routes, a_later_registration_replaces_the_method_of_a_path) {
  admin_routes routes;
  routes.add(admin_method::get, "/x", [] { return admin_response{200, "text/plain", "get", {}}; });
  routes.add(admin_method::post, "/x", [] { return admin_response{200, "text/plain", "post", {}}; });
  EXPECT_EQ(routes.dispatch("GET", "/x", "").status, 405);
  EXPECT_EQ(routes.dispatch("POST", "/x", "").body, "post");
}

TEST(status_page_asset, is_one_self_contained_html_document) {
  auto page = status_page_html();
  EXPECT_TRUE(page.starts_with("<!doctype html>"));
  EXPECT_NE(page.find("</html>"), std::string_view::npos);
  EXPECT_NE(page.find("new URL(\"status\", location.href)"), std::string_view::npos);
  EXPECT_NE(page.find("fetch(status_url.href"), std::string_view::npos);
  // No external assets: nothing loaded from another origin, no src= or href= at all.
  for (const char* forbidden : {"http://", "https://", "//cdn", " src=", " href=", "@import", "url("}) {
    // The SVG namespace is an identifier, not a fetch.
    std::string_view rest = page;
    std::size_t at = 0;
    while ((at = rest.find(forbidden)) != std::string_view::npos) {
      EXPECT_TRUE(std::string_view(forbidden) == "http://" &&
                  rest.substr(at).starts_with("http://www.w3.org/2000/svg"))
          << "found " << forbidden << " near: " << rest.substr(at, 60);
      rest = rest.substr(at + 1);
    }
  }
  // Data from /status is never parsed as HTML.
  EXPECT_EQ(page.find("innerHTML"), std::string_view::npos);
  EXPECT_EQ(page.find("outerHTML"), std::string_view::npos);
  EXPECT_EQ(page.find("insertAdjacentHTML"), std::string_view::npos);
  EXPECT_EQ(page.find("document.write"), std::string_view::npos);
}

TEST(status_page_asset, response_is_html_with_a_csp_that_forbids_other_origins) {
  auto r = status_page_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, status_page_html());
  auto csp = header(r, "Content-Security-Policy");
  EXPECT_TRUE(csp.starts_with("default-src 'none'")) << csp;
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
}

}  // namespace
}  // namespace meshwatch
