// The embedded default catalogue (config/default.yaml) checked against the Mesher contract:
// every route of mesher/API.md §3 and both WebSocket paths of §4 are probed, the probe classes of
// §6.2 carry the tags the scheduler and the reader rely on, and nothing points at concrete ids.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/default_config.hpp"
#include "config/fixtures.hpp"
#include "config/loader.hpp"

namespace meshwatch {
namespace {

using namespace std::chrono_literals;

// ------------------------------------------------------------------------------ the contract

struct route_spec {
  int number;
  std::string_view method;
  std::string_view path;  // `:name` marks a path parameter
};

// mesher/API.md §3, transcribed: the 36 routes registered in mesher/main.mpl.
constexpr std::array<route_spec, 36> api_routes{{
    {1, "POST", "/api/v1/events"},
    {2, "POST", "/api/v1/events/bulk"},
    {3, "GET", "/api/v1/projects/:project_id/issues"},
    {4, "GET", "/api/v1/projects/:project_id/events/search"},
    {5, "GET", "/api/v1/projects/:project_id/events/tags"},
    {6, "GET", "/api/v1/issues/:issue_id/events"},
    {7, "GET", "/api/v1/projects/:project_id/dashboard/volume"},
    {8, "GET", "/api/v1/projects/:project_id/dashboard/levels"},
    {9, "GET", "/api/v1/projects/:project_id/dashboard/top-issues"},
    {10, "GET", "/api/v1/projects/:project_id/dashboard/tags"},
    {11, "GET", "/api/v1/issues/:issue_id/timeline"},
    {12, "GET", "/api/v1/projects/:project_id/dashboard/health"},
    {13, "GET", "/api/v1/events/:event_id"},
    {14, "POST", "/api/v1/issues/:id/resolve"},
    {15, "POST", "/api/v1/issues/:id/archive"},
    {16, "POST", "/api/v1/issues/:id/unresolve"},
    {17, "POST", "/api/v1/issues/:id/assign"},
    {18, "POST", "/api/v1/issues/:id/discard"},
    {19, "POST", "/api/v1/issues/:id/delete"},
    {20, "GET", "/api/v1/orgs/:org_id/members"},
    {21, "POST", "/api/v1/orgs/:org_id/members"},
    {22, "POST", "/api/v1/orgs/:org_id/members/:membership_id/role"},
    {23, "POST", "/api/v1/orgs/:org_id/members/:membership_id/remove"},
    {24, "GET", "/api/v1/projects/:project_id/api-keys"},
    {25, "POST", "/api/v1/projects/:project_id/api-keys"},
    {26, "POST", "/api/v1/api-keys/:key_id/revoke"},
    {27, "GET", "/api/v1/projects/:project_id/alert-rules"},
    {28, "POST", "/api/v1/projects/:project_id/alert-rules"},
    {29, "POST", "/api/v1/alert-rules/:rule_id/toggle"},
    {30, "POST", "/api/v1/alert-rules/:rule_id/delete"},
    {31, "GET", "/api/v1/projects/:project_id/alerts"},
    {32, "POST", "/api/v1/alerts/:id/acknowledge"},
    {33, "POST", "/api/v1/alerts/:id/resolve"},
    {34, "GET", "/api/v1/projects/:project_id/settings"},
    {35, "POST", "/api/v1/projects/:project_id/settings"},
    {36, "GET", "/api/v1/projects/:project_id/storage"},
}};

// API.md §6.2 classes MUT and DES (management writes); DES ones are one-way.
const std::set<int> mutating_routes{14, 15, 16, 17, 18, 19, 21, 22, 23, 25, 26, 28, 29, 30, 32, 33, 35};
const std::set<int> destructive_routes{18, 19, 32, 33};
const std::set<int> ingestion_routes{1, 2};

// ------------------------------------------------------------------------------ helpers

const config& catalogue() {
  static const config c = [] {
    load_options options;
    options.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    load_result r = load_config_text(default_config_text(), default_config_name, options);
    return r.value.value_or(config{});
  }();
  return c;
}

bool has_tag(const probe_config& p, std::string_view tag) {
  return std::find(p.tags.begin(), p.tags.end(), tag) != p.tags.end();
}

const probe_config* find_probe(std::string_view name) {
  const auto& probes = catalogue().probes;
  const auto it =
      std::find_if(probes.begin(), probes.end(), [&](const probe_config& p) { return p.name == name; });
  return it == probes.end() ? nullptr : &*it;
}

/** One HTTP request of the catalogue: a probe's own, or one step of a pipeline. */
struct request_ref {
  const probe_config* probe;
  const http_request* request;
  std::string step;  // empty for an http probe
};

std::vector<request_ref> all_requests() {
  std::vector<request_ref> out;
  for (const probe_config& p : catalogue().probes) {
    if (const auto* http = std::get_if<http_request>(&p.kind)) {
      out.push_back({&p, http, ""});
    } else if (const auto* pipeline = std::get_if<pipeline_probe>(&p.kind)) {
      for (const pipeline_step& s : pipeline->steps) {
        if (const auto* step_http = std::get_if<http_request>(&s.action)) {
          out.push_back({&p, step_http, s.name});
        }
      }
    }
  }
  return out;
}

std::string describe(const request_ref& r) {
  return r.probe->name + (r.step.empty() ? "" : "/" + r.step) + " (" + r.request->method + " " +
         r.request->path.source() + ")";
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i <= path.size()) {
    const std::size_t slash = std::min(path.find('/', i), path.size());
    if (slash > i) {
      out.push_back(path.substr(i, slash - i));
    }
    i = slash + 1;
  }
  return out;
}

/** `${name}` as a whole segment ⇒ name. */
std::optional<std::string_view> whole_variable(std::string_view segment) {
  if (segment.size() > 3 && segment.starts_with("${") && segment.ends_with('}') &&
      segment.find('}') == segment.size() - 1) {
    return segment.substr(2, segment.size() - 3);
  }
  return std::nullopt;
}

/** The path template without its query string. */
std::string_view path_only(const text_template& path) {
  std::string_view s = path.source();
  return s.substr(0, s.find('?'));
}

/**
 * Whether a probe path template addresses a route template: literal segments equal, and every
 * `:param` filled by exactly one template variable (so `/api/v1/events/bulk` is not route 13).
 * On a match, `vars` gets param → variable name.
 */
bool matches(const route_spec& route, std::string_view probe_path, std::map<std::string, std::string>* vars) {
  const std::vector<std::string_view> want = segments(route.path);
  const std::vector<std::string_view> got = segments(probe_path);
  if (want.size() != got.size()) {
    return false;
  }
  std::map<std::string, std::string> bound;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].starts_with(':')) {
      const std::optional<std::string_view> var = whole_variable(got[i]);
      if (!var) {
        return false;
      }
      bound[std::string{want[i].substr(1)}] = std::string{*var};
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  if (vars) {
    *vars = std::move(bound);
  }
  return true;
}

/** The API.md route a request addresses, if any. */
const route_spec* route_of(const http_request& req, std::map<std::string, std::string>* vars = nullptr) {
  for (const route_spec& route : api_routes) {
    if (route.method == req.method && matches(route, path_only(req.path), vars)) {
      return &route;
    }
  }
  return nullptr;
}

const text_template* header(const header_list& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return &value;
    }
  }
  return nullptr;
}

bool uses_variable(const text_template& t, std::string_view name) {
  const std::vector<std::string> vars = t.variables();
  return std::find(vars.begin(), vars.end(), name) != vars.end();
}

/** Sends the valid synthetic key (`${api_key}`) in any header. */
bool sends_valid_key(const header_list& headers) {
  return std::any_of(headers.begin(), headers.end(),
                     [](const auto& h) { return uses_variable(h.second, "api_key"); });
}

bool is_fixture_name(std::string_view name) {
  for (const fixture_field& f : fixture_fields()) {
    if (f.name == name) {
      return true;
    }
  }
  return false;
}

const std::regex& uuid_pattern() {
  static const std::regex re{"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"};
  return re;
}

bool contains_uuid(std::string_view text) {
  return std::regex_search(text.begin(), text.end(), uuid_pattern());
}

/** Every probe-authored string that goes on the wire: paths, header values, bodies, ws frames. */
std::vector<std::pair<std::string, std::string>> wire_texts() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const request_ref& r : all_requests()) {
    out.emplace_back(describe(r) + " path", r.request->path.source());
    for (const auto& [name, value] : r.request->headers) {
      out.emplace_back(describe(r) + " header " + name, value.source());
    }
    if (r.request->body) {
      out.emplace_back(describe(r) + " body", r.request->body->source());
    }
  }
  for (const probe_config& p : catalogue().probes) {
    if (const auto* ws = std::get_if<ws_probe>(&p.kind)) {
      out.emplace_back(p.name + " ws path", ws->path.source());
      for (const auto& [name, value] : ws->headers) {
        out.emplace_back(p.name + " ws header " + name, value.source());
      }
      if (ws->send) {
        out.emplace_back(p.name + " ws send", ws->send->source());
      }
    }
  }
  return out;
}

const pg_probe* find_pg_check(pg_check check) {
  for (const probe_config& p : catalogue().probes) {
    if (const auto* pg = std::get_if<pg_probe>(&p.kind); pg && pg->check == check) {
      return pg;
    }
  }
  return nullptr;
}

/** Indexes of the steps of `pipeline` that address `route_number`, in order. */
std::vector<std::size_t> steps_on(const pipeline_probe& pipeline, int route_number) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < pipeline.steps.size(); ++i) {
    if (const auto* req = std::get_if<http_request>(&pipeline.steps[i].action)) {
      if (const route_spec* r = route_of(*req); r && r->number == route_number) {
        out.push_back(i);
      }
    }
  }
  return out;
}

/** The pipeline that creates through `create_route`; nullptr if none or several. */
const probe_config* pipeline_creating(int create_route) {
  const probe_config* found = nullptr;
  for (const probe_config& p : catalogue().probes) {
    if (const auto* pipeline = std::get_if<pipeline_probe>(&p.kind);
        pipeline && !steps_on(*pipeline, create_route).empty()) {
      if (found) {
        return nullptr;
      }
      found = &p;
    }
  }
  return found;
}

/** The first step indexes of `routes` in `p`, which must appear in this order. */
void expect_route_order(const probe_config& p, std::initializer_list<int> routes) {
  const auto& pipeline = std::get<pipeline_probe>(p.kind);
  std::size_t previous = 0;
  bool first = true;
  for (int route : routes) {
    const std::vector<std::size_t> at = steps_on(pipeline, route);
    ASSERT_FALSE(at.empty()) << p.name << " has no step on route " << route;
    if (!first) {
      EXPECT_GT(at.front(), previous) << p.name << ": route " << route << " out of order";
    }
    previous = at.front();
    first = false;
  }
}

const json_expectation* find_json(const std::vector<json_expectation>& list, std::string_view pointer) {
  const auto it =
      std::find_if(list.begin(), list.end(), [&](const json_expectation& e) { return e.pointer == pointer; });
  return it == list.end() ? nullptr : &*it;
}

// ------------------------------------------------------------------------------ tests

TEST(catalogue, loads_without_errors) {
  load_options options;
  options.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  const load_result r = load_config_text(default_config_text(), default_config_name, options);
  std::vector<std::string> errors;
  for (const config_error& e : r.errors) {
    errors.push_back(e.to_string());
  }
  EXPECT_EQ(errors, std::vector<std::string>{});
  ASSERT_TRUE(r.ok());
  EXPECT_GE(r.value->probes.size(), 36u);
}

TEST(catalogue, the_route_table_is_the_one_of_api_md) {
  // A transcription check: 36 distinct (method, path) pairs numbered 1..36.
  std::set<std::pair<std::string_view, std::string_view>> distinct;
  for (std::size_t i = 0; i < api_routes.size(); ++i) {
    EXPECT_EQ(api_routes[i].number, static_cast<int>(i) + 1);
    distinct.emplace(api_routes[i].method, api_routes[i].path);
  }
  EXPECT_EQ(distinct.size(), 36u);
}

TEST(catalogue, covers_every_http_route_of_api_md) {
  const std::vector<request_ref> requests = all_requests();
  for (const route_spec& route : api_routes) {
    const bool covered = std::any_of(requests.begin(), requests.end(), [&](const request_ref& r) {
      return route.method == r.request->method && matches(route, path_only(r.request->path), nullptr);
    });
    EXPECT_TRUE(covered) << "route " << route.number << " " << route.method << " " << route.path
                         << " has no probe";
  }
}

TEST(catalogue, every_request_addresses_a_known_route_or_the_fast_path) {
  for (const request_ref& r : all_requests()) {
    const bool fast_path = r.request->method == "GET" && r.request->path.source() == "/__meshwatch";
    EXPECT_TRUE(fast_path || route_of(*r.request) != nullptr) << describe(r) << " matches no API.md route";
  }
}

TEST(catalogue, route_parameters_are_filled_with_matching_fixtures_or_captures) {
  // A project route must be given a project (id or slug), an issue route an issue, and so on:
  // a wrong fixture would still be a well-formed UUID and probe nonsense.
  const std::map<std::string, std::set<std::string>> allowed_fixtures{
      {"project_id", {"project_id", "project_slug", "org_id"}},  // org_id: the deliberate 404 probe
      {"issue_id", {"issue_a_id", "issue_b_id"}},
      {"id", {"issue_a_id", "issue_b_id", "alert_id"}},
      {"event_id", {"event_1_id", "event_2_id", "event_3_id", "org_id"}},
      {"org_id", {"org_id"}},
      {"membership_id", {}},  // only memberships the probe created
      {"key_id", {}},         // never the synthetic keys
      {"rule_id", {}},        // never the seeded rule
  };
  for (const request_ref& r : all_requests()) {
    std::map<std::string, std::string> vars;
    if (route_of(*r.request, &vars) == nullptr) {
      continue;
    }
    for (const auto& [param, variable] : vars) {
      if (!is_fixture_name(variable)) {
        continue;  // a capture of an earlier step
      }
      const auto allowed = allowed_fixtures.find(param);
      ASSERT_NE(allowed, allowed_fixtures.end()) << param;
      EXPECT_TRUE(allowed->second.contains(variable))
          << describe(r) << ": :" << param << " filled with fixture ${" << variable << "}";
    }
  }
}

TEST(catalogue, covers_both_websocket_paths) {
  bool stream = false;
  bool ingest_rejected = false;
  bool ingest_accepted = false;
  for (const probe_config& p : catalogue().probes) {
    const auto* ws = std::get_if<ws_probe>(&p.kind);
    if (!ws) {
      continue;
    }
    const std::string& path = ws->path.source();
    if (path == "/stream/projects/${project_id}") {
      const json_expectation* type = find_json(ws->expect_reply, "/type");
      stream =
          stream || (ws->send.has_value() && type != nullptr &&
                     type->matcher == json_matcher{json_equals{text_template::literal("filters_updated")}});
    } else if (path == "/ingest") {
      const bool auth = header(ws->headers, "x-sentry-auth") || header(ws->headers, "authorization");
      if (!auth) {
        ingest_rejected = ingest_rejected || ws->expect_close == 1008;
      } else {
        // A probe that sends waits for a reply frame (expect_reply only adds assertions).
        ingest_accepted = ingest_accepted || (!ws->expect_close && ws->send.has_value());
        EXPECT_TRUE(has_tag(p, "risky")) << p.name << ": WS ingest with auth is the F-01 crash path";
      }
    }
  }
  EXPECT_TRUE(stream) << "no stream subscriber probe on /stream/projects/${project_id}";
  EXPECT_TRUE(ingest_rejected) << "no /ingest probe without auth expecting close 1008";
  EXPECT_TRUE(ingest_accepted) << "no /ingest probe with an auth header expecting a reply";
}

TEST(catalogue, posts_to_mutating_routes_are_tagged) {
  for (const request_ref& r : all_requests()) {
    const route_spec* route = route_of(*r.request);
    if (route == nullptr) {
      continue;
    }
    if (mutating_routes.contains(route->number)) {
      EXPECT_TRUE(has_tag(*r.probe, "mutating") || has_tag(*r.probe, "destructive"))
          << describe(r) << " writes (route " << route->number << ") but is not tagged mutating/destructive";
    }
    if (destructive_routes.contains(route->number)) {
      EXPECT_TRUE(has_tag(*r.probe, "destructive"))
          << describe(r) << " is one-way (route " << route->number << ")";
    }
  }
}

TEST(catalogue, valid_key_ingestion_is_budgeted_risky_and_mutating) {
  int valid_key_requests = 0;
  for (const request_ref& r : all_requests()) {
    const route_spec* route = route_of(*r.request);
    if (route == nullptr || !ingestion_routes.contains(route->number) ||
        !sends_valid_key(r.request->headers)) {
      continue;
    }
    ++valid_key_requests;
    EXPECT_TRUE(has_tag(*r.probe, "budget")) << describe(r) << ": F-13, the rate limiter never resets";
    EXPECT_TRUE(has_tag(*r.probe, "risky")) << describe(r) << ": F-01, the recorded SIGSEGV";
    EXPECT_TRUE(has_tag(*r.probe, "mutating")) << describe(r) << ": writes an event (API.md §6.2 1b)";
  }
  EXPECT_GE(valid_key_requests, 1);
}

TEST(catalogue, the_sampled_key_only_goes_to_bulk) {
  // Only the bulk route samples; the sampled key anywhere else would reach the crash path.
  for (const request_ref& r : all_requests()) {
    for (const auto& [name, value] : r.request->headers) {
      if (uses_variable(value, "sampled_api_key")) {
        const route_spec* route = route_of(*r.request);
        EXPECT_TRUE(route != nullptr && route->number == 2) << describe(r);
      }
    }
  }
}

TEST(catalogue, schedules_fit_the_probe_class) {
  for (const probe_config& p : catalogue().probes) {
    SCOPED_TRACE(p.name);
    EXPECT_TRUE(p.enabled);
    EXPECT_LE(p.timeout, 15s);
    if (has_tag(p, "risky")) {
      EXPECT_GE(p.interval, 10min) << "risky probes run at most every 10 min";
    }
    if (has_tag(p, "budget")) {
      EXPECT_GE(p.interval, 5min) << "12 runs an hour at most";
    }
    if (has_tag(p, "destructive")) {
      EXPECT_GE(p.interval, 5min);
      EXPECT_LE(p.interval, 15min);
    } else if (has_tag(p, "mutating") && !has_tag(p, "risky")) {
      EXPECT_GE(p.interval, 1min);
      EXPECT_LE(p.interval, 5min);
    }
    if (std::holds_alternative<pg_probe>(p.kind)) {
      EXPECT_GE(p.interval, 30s);
      EXPECT_LE(p.interval, 5min);
    }
    if (p.tags.empty() && !std::holds_alternative<pg_probe>(p.kind) && p.name != "fast_path") {
      EXPECT_GE(p.interval, 15s);
      EXPECT_LE(p.interval, 60s);
    }
  }
}

TEST(catalogue, known_tags_only) {
  const std::set<std::string> known{"risky", "budget", "mutating", "destructive", "sensitive"};
  for (const probe_config& p : catalogue().probes) {
    for (const std::string& tag : p.tags) {
      EXPECT_TRUE(known.contains(tag)) << p.name << ": unknown tag " << tag;
    }
    EXPECT_FALSE(has_tag(p, "mutating") && has_tag(p, "destructive")) << p.name << ": pick one class";
  }
}

TEST(catalogue, no_concrete_ids_or_keys_on_the_wire) {
  for (const auto& [where, text] : wire_texts()) {
    EXPECT_FALSE(contains_uuid(text)) << where << " contains a literal UUID: " << text;
    EXPECT_EQ(text.find("mshr_synthetic"), std::string::npos) << where << " inlines a synthetic key";
  }
}

TEST(catalogue, header_names_are_lowercase) {
  const auto lowercase = [](const header_list& headers, const std::string& where) {
    for (const auto& [name, value] : headers) {
      EXPECT_TRUE(std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
          << where << ": Mesher matches '" << name << "' byte for byte";
    }
  };
  for (const request_ref& r : all_requests()) {
    lowercase(r.request->headers, describe(r));
  }
  for (const probe_config& p : catalogue().probes) {
    if (const auto* ws = std::get_if<ws_probe>(&p.kind)) {
      lowercase(ws->headers, p.name);
    }
  }
}

TEST(catalogue, names_are_snake_case) {
  const std::regex snake{"[a-z][a-z0-9]*(_[a-z0-9]+)*"};
  for (const probe_config& p : catalogue().probes) {
    EXPECT_TRUE(std::regex_match(p.name, snake)) << p.name;
    if (const auto* pipeline = std::get_if<pipeline_probe>(&p.kind)) {
      for (const pipeline_step& s : pipeline->steps) {
        EXPECT_TRUE(std::regex_match(s.name, snake)) << p.name << "/" << s.name;
      }
    }
  }
}

TEST(catalogue, has_the_fast_path) {
  const probe_config* fast = find_probe("fast_path");
  ASSERT_NE(fast, nullptr);
  const auto& req = std::get<http_request>(fast->kind);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.path.source(), "/__meshwatch");
  EXPECT_EQ(fast->expect.status, std::vector<int>{404});
  ASSERT_TRUE(fast->expect.body_prefix.has_value());
  EXPECT_EQ(fast->expect.body_prefix->source(), "Not Found");
  EXPECT_TRUE(fast->tags.empty());
  EXPECT_LE(fast->interval, 15s);
}

TEST(catalogue, has_the_concurrency_probe) {
  // FAILURES.md D7: four parallel deep probes, the F-09 reproduction.
  const probe_config* concurrent = find_probe("dashboard_health_concurrent");
  ASSERT_NE(concurrent, nullptr);
  EXPECT_EQ(concurrent->parallel, 4);
  const auto& req = std::get<http_request>(concurrent->kind);
  const route_spec* route = route_of(req);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->number, 12);
  EXPECT_EQ(concurrent->expect.status, std::vector<int>{200});
  EXPECT_EQ(concurrent->expect.json.size(), 3u);
  EXPECT_TRUE(has_tag(*concurrent, "risky")) << "F-09 crashed Mesher; suspend it after crashes";
  EXPECT_GE(concurrent->interval, 10min);
  // Nothing else sends concurrent requests: a second one would load Mesher for no new signal.
  for (const probe_config& p : catalogue().probes) {
    EXPECT_TRUE(p.parallel == 1 || &p == concurrent) << p.name;
  }
}

TEST(catalogue, has_the_database_checks) {
  EXPECT_NE(find_pg_check(pg_check::reachable), nullptr);
  const pg_probe* horizon = find_pg_check(pg_check::partition_horizon);
  ASSERT_NE(horizon, nullptr);
  EXPECT_GE(horizon->min_days, 1);  // today's and tomorrow's partitions (FAILURES.md F-12)
  const pg_probe* connections = find_pg_check(pg_check::connections);
  ASSERT_NE(connections, nullptr);
  EXPECT_LE(connections->max_connections, 10);  // Mesher's pool maximum (API.md §1.2)
  const pg_probe* long_statements = find_pg_check(pg_check::long_statements);
  ASSERT_NE(long_statements, nullptr);
  EXPECT_EQ(long_statements->longer_than, 25s);  // under the 30 s socket timeout (F-29)
}

TEST(catalogue, has_the_ingest_pipeline) {
  const probe_config* p = find_probe("ingest_pipeline");
  ASSERT_NE(p, nullptr);
  const auto* pipeline = std::get_if<pipeline_probe>(&p->kind);
  ASSERT_NE(pipeline, nullptr);
  std::vector<std::string> names;
  for (const pipeline_step& s : pipeline->steps) {
    names.push_back(s.name);
  }
  ASSERT_EQ(names, (std::vector<std::string>{"accepted", "db_visible", "ws_pushed", "listed"}));

  const auto& accepted = std::get<http_request>(pipeline->steps[0].action);
  const route_spec* route = route_of(accepted);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->number, 1);
  const text_template* key = header(accepted.headers, "x-sentry-auth");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->source(), "${api_key}");
  ASSERT_TRUE(accepted.body.has_value());
  EXPECT_NE(accepted.body->source().find("\"message\""), std::string::npos);
  EXPECT_EQ(pipeline->steps[0].expect.status, std::vector<int>{202});

  const auto* db = std::get_if<pg_query_step>(&pipeline->steps[1].action);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(pipeline->steps[1].within.has_value());
  EXPECT_NE(db->sql.find("issues"), std::string::npos);
  EXPECT_NE(db->sql.find("events"), std::string::npos);
  ASSERT_FALSE(pipeline->steps[1].capture.empty());
  const std::string captured = pipeline->steps[1].capture[0].first;

  const auto* pushed = std::get_if<ws_wait_step>(&pipeline->steps[2].action);
  ASSERT_NE(pushed, nullptr);
  EXPECT_TRUE(pipeline->steps[2].within.has_value());
  const json_expectation* type = find_json(pushed->match, "/type");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->matcher, json_matcher{json_equals{text_template::literal("event")}});
  const json_expectation* issue = find_json(pushed->match, "/issue_id");
  ASSERT_NE(issue, nullptr);
  EXPECT_EQ(std::get<text_template>(std::get<json_equals>(issue->matcher).value).source(),
            "${" + captured + "}");

  const auto& listed = std::get<http_request>(pipeline->steps[3].action);
  route = route_of(listed);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->number, 3);
  EXPECT_EQ(pipeline->steps[3].expect.status, std::vector<int>{200});

  EXPECT_TRUE(has_tag(*p, "budget"));
  EXPECT_TRUE(has_tag(*p, "risky"));
}

TEST(catalogue, api_key_rotation_creates_lists_revokes_and_is_refused) {
  const probe_config* p = pipeline_creating(25);
  ASSERT_NE(p, nullptr);
  expect_route_order(*p, {25, 24, 26, 1});
  const auto& pipeline = std::get<pipeline_probe>(p->kind);
  const pipeline_step& last = pipeline.steps[steps_on(pipeline, 1).back()];
  EXPECT_EQ(last.expect.status, std::vector<int>{401});
  const text_template* key = header(std::get<http_request>(last.action).headers, "x-sentry-auth");
  ASSERT_NE(key, nullptr);
  ASSERT_EQ(key->variables().size(), 1u);
  EXPECT_FALSE(is_fixture_name(key->variables()[0])) << "must be the key this run created";
}

TEST(catalogue, alert_rule_roundtrip_creates_lists_and_deletes) {
  const probe_config* p = pipeline_creating(28);
  ASSERT_NE(p, nullptr);
  expect_route_order(*p, {28, 27, 30});
}

TEST(catalogue, member_roundtrip_adds_lists_and_removes) {
  const probe_config* p = pipeline_creating(21);
  ASSERT_NE(p, nullptr);
  expect_route_order(*p, {21, 20, 23});
}

TEST(catalogue, issue_actions_touch_only_the_synthetic_issues) {
  for (const request_ref& r : all_requests()) {
    std::map<std::string, std::string> vars;
    const route_spec* route = route_of(*r.request, &vars);
    if (route == nullptr || route->number < 14 || route->number > 19) {
      continue;
    }
    // Reversible actions on issue A; one-way ones only on issue B, which the seeding restores.
    EXPECT_EQ(vars["id"], route->number >= 18 ? "issue_b_id" : "issue_a_id") << describe(r);
  }
  for (int route : {14, 15, 16, 17, 18, 19}) {
    bool found = false;
    for (const probe_config& p : catalogue().probes) {
      if (const auto* pipeline = std::get_if<pipeline_probe>(&p.kind)) {
        found = found || !steps_on(*pipeline, route).empty();
      }
    }
    EXPECT_TRUE(found) << "route " << route << " should run inside a pipeline that checks its effect";
  }
}

TEST(catalogue, alert_actions_touch_only_the_synthetic_alert) {
  for (const request_ref& r : all_requests()) {
    std::map<std::string, std::string> vars;
    const route_spec* route = route_of(*r.request, &vars);
    if (route != nullptr && (route->number == 32 || route->number == 33)) {
      EXPECT_EQ(vars["id"], "alert_id") << describe(r);
    }
  }
}

TEST(catalogue, pipelines_that_wait_for_pushes_or_rows_bound_the_wait) {
  for (const probe_config& p : catalogue().probes) {
    const auto* pipeline = std::get_if<pipeline_probe>(&p.kind);
    if (!pipeline) {
      continue;
    }
    for (const pipeline_step& s : pipeline->steps) {
      if (!std::holds_alternative<http_request>(s.action)) {
        EXPECT_TRUE(s.within.has_value()) << p.name << "/" << s.name;
      }
    }
  }
}

}  // namespace
}  // namespace meshwatch
