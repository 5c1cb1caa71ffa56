// The status page at `/` in a real browser: `meshwatch run` watches the Mesher twin, headless
// Chromium loads the page (which renders itself from /status), and the test reads the DOM it
// dumps. Then a twin fault makes one probe fail and the page must show it, with its reason;
// the target card shows the stream subscriber, connected, and disconnected while Mesher is frozen.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>

#include "tests/e2e/watch/watch_test_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/subprocess.hpp"

namespace meshwatch::test {
namespace {

using namespace std::chrono_literals;

const std::string chromium_binary = "/usr/bin/chromium";

// Several probes so the page has a realistic table; all at the harness's 500 ms interval.
const std::string page_probes =
    "  - name: dashboard_health\n"
    "    http: { method: GET, path: \"/api/v1/projects/${project_id}/dashboard/health\" }\n"
    "    expect: { status: 200, json: { /unresolved_count: number, /events_24h: number } }\n"
    "  - name: dashboard_levels\n"
    "    http: { method: GET, path: \"/api/v1/projects/${project_id}/dashboard/levels\" }\n"
    "    expect: { status: 200, json: { \"\": { array_of: object } } }\n"
    "  - name: dashboard_top_issues\n"
    "    http: { method: GET, path: \"/api/v1/projects/${project_id}/dashboard/top-issues?limit=5\" }\n"
    "    expect: { status: 200, json: { \"\": { array_of: object } } }\n"
    "  - name: search_issues_page\n"
    "    http: { method: GET, path: \"/api/v1/projects/${project_id}/issues?limit=1\" }\n"
    "    expect: { status: 200 }\n"
    "  - name: ws_stream_subscribe\n"
    "    ws: { path: \"/stream/projects/${project_id}\", send: '{\"filters\":{}}', expect_reply: { /type: "
    "\"filters_updated\" } }\n";

const std::string health_route = "route=/api/v1/projects/:project_id/dashboard/health";
const std::string levels_route = "route=/api/v1/projects/:project_id/dashboard/levels";

struct browser_result {
  bool finished = false;
  int exit_code = -1;
  std::string dom;      // stdout: the serialised DOM (or nothing for a screenshot)
  std::string console;  // the page's console messages (Chromium logs them as ":CONSOLE")
  std::string log;      // all of stderr, for failure messages
};

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += l;
    out += '\n';
  }
  return out;
}

/**
 * One headless Chromium run on `url` with a fresh profile, bounded by `timeout` (the whole
 * process group is killed past it). The flags keep it off the network: this one is closed.
 */
browser_result run_chromium(const std::string& url, const std::vector<std::string>& mode_args,
                            std::chrono::milliseconds virtual_time, std::chrono::seconds timeout) {
  auto profile = std::filesystem::temp_directory_path() /
                 ("meshwatch-chromium-" + std::to_string(::getpid()) + "-" +
                  std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(profile);
  std::vector<std::string> argv{chromium_binary,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--disable-dev-shm-usage",
                                "--user-data-dir=" + profile.string(),
                                "--enable-logging=stderr",
                                "--v=0",
                                "--virtual-time-budget=" + std::to_string(virtual_time.count())};
  argv.insert(argv.end(), mode_args.begin(), mode_args.end());
  argv.push_back(url);

  browser_result out;
  {
    subprocess browser(argv);
    auto status = browser.wait_exit(timeout);
    if (!status) {
      ::kill(-browser.pid(), SIGKILL);  // its renderer and zygote share its process group
      browser.wait_exit(10s);
    } else {
      out.finished = true;
      out.exit_code = status->signaled ? -status->signal : status->code;
    }
    out.dom = join(browser.lines(stream::out));
    for (const auto& line : browser.lines(stream::err)) {
      out.log += line + '\n';
      if (line.find(":CONSOLE") != std::string::npos) out.console += line + '\n';
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(profile, ignored);
  return out;
}

/** The opening tag of the probe's table row, or empty. */
std::string probe_row_tag(const std::string& dom, const std::string& probe) {
  std::regex tag("<tr [^>]*data-probe=\"" + probe + "\"[^>]*>");
  std::smatch m;
  return std::regex_search(dom, m, tag) ? m.str() : std::string();
}

/** The probe's whole table row (tag to </tr>), or empty. */
std::string probe_row(const std::string& dom, const std::string& probe) {
  auto tag = probe_row_tag(dom, probe);
  if (tag.empty()) return "";
  auto start = dom.find(tag);
  auto end = dom.find("</tr>", start);
  return dom.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string attribute(const std::string& tag, const std::string& name) {
  std::regex attr(" " + name + "=\"([^\"]*)\"");
  std::smatch m;
  return std::regex_search(tag, m, attr) ? m[1].str() : std::string();
}

/** The `state` /status gives `probe`, or empty. */
std::string probe_state(const std::string& status, const std::string& probe) {
  rapidjson::Document doc;
  doc.Parse(status.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("probes") || !doc["probes"].IsArray())
    return "";
  for (const auto& p : doc["probes"].GetArray()) {
    if (p.IsObject() && p.HasMember("probe") && p["probe"].IsString() && p["probe"].GetString() == probe &&
        p.HasMember("state") && p["state"].IsString()) {
      return p["state"].GetString();
    }
  }
  return "";
}

/** The target's card, from its opening tag to the probes section. */
std::string target_card(const std::string& dom, const std::string& target) {
  auto start = dom.find("<div class=\"target\" data-target=\"" + target + "\">");
  if (start == std::string::npos) return "";
  auto end = dom.find("id=\"probes-section\"", start);
  return dom.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

/** Whether /status lists an incident (open or recent) of `kind`. */
bool has_incident(const std::string& status, const std::string& kind) {
  rapidjson::Document doc;
  doc.Parse(status.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("incidents")) return false;
  const auto& incidents = doc["incidents"];
  for (const char* list : {"open", "recent"}) {
    if (!incidents.IsObject() || !incidents.HasMember(list) || !incidents[list].IsArray()) continue;
    for (const auto& i : incidents[list].GetArray()) {
      if (i.IsObject() && i.HasMember("kind") && i["kind"].IsString() && i["kind"].GetString() == kind)
        return true;
    }
  }
  return false;
}

/** The `stream` object of `target` in /status, copied into `out`; false when there is none. */
bool stream_status_of(const std::string& status, const std::string& target, rapidjson::Document& out) {
  rapidjson::Document doc;
  doc.Parse(status.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("targets") || !doc["targets"].IsArray())
    return false;
  for (const auto& t : doc["targets"].GetArray()) {
    if (t.IsObject() && t.HasMember("target") && t["target"].IsString() &&
        t["target"].GetString() == target && t.HasMember("stream") && t["stream"].IsObject()) {
      out.CopyFrom(t["stream"], out.GetAllocator());
      return true;
    }
  }
  return false;
}

bool stream_connected(const std::string& status, bool want) {
  rapidjson::Document s;
  return stream_status_of(status, "mesher", s) && s["connected"].IsBool() && s["connected"].GetBool() == want;
}

std::uint64_t stream_counter(const std::string& status, const char* name) {
  rapidjson::Document s;
  return stream_status_of(status, "mesher", s) && s[name].IsUint64() ? s[name].GetUint64() : 0;
}

/** The target card's stream group (from its opening tag to the next group), or empty. */
std::string stream_block(const std::string& card) {
  auto start = card.find("<div class=\"stream\"");
  if (start == std::string::npos) return "";
  auto end = card.find("<h4>", card.find("</h4>", start));
  return card.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

int loaded_count(const std::string& dom) {
  std::smatch m;
  return std::regex_search(dom, m, std::regex("<body[^>]* data-loaded=\"(\\d+)\"")) ? std::stoi(m[1]) : -1;
}

class status_page : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(chromium_binary))
        << "headless Chromium is required (scripts/deps installs the Debian `chromium` package)";
    std::string why;
    ASSERT_TRUE(twin_.start(why)) << why << "\n" << twin_.console();
    for (const char* probe : {"dashboard_health", "ws_stream_subscribe", "fast_path"}) {
      ASSERT_TRUE(twin_.wait_metric(
          "meshwatch_probe_success", {{"probe", probe}}, [](auto v) { return v && *v == 1; }, 30s))
          << probe << "\n"
          << twin_.console();
    }
    url_ = "http://127.0.0.1:" + std::to_string(twin_.admin_port()) + "/";
  }

  // Loads the page and lets it refresh a few times (2 s apart, in virtual time).
  browser_result load() const { return run_chromium(url_, {"--dump-dom"}, 7000ms, 90s); }

  watched_twin twin_{{}, page_probes};
  std::string url_;
};

TEST_F(status_page, renders_every_probe_and_then_reflects_an_injected_fault) {
  auto page = load();
  ASSERT_TRUE(page.finished) << "chromium did not finish within 90 s\n" << page.log;
  ASSERT_EQ(page.exit_code, 0) << page.log;
  const auto& dom = page.dom;
  // It rendered from /status, more than once (the refresh loop runs), with no console errors
  // (no script error, no CSP refusal, no failed fetch).
  EXPECT_GE(loaded_count(dom), 2) << dom.substr(0, 3000);
  EXPECT_EQ(dom.find("data-js-error"), std::string::npos);
  EXPECT_EQ(page.console, "");
  EXPECT_NE(dom.find("<title>meshwatch status</title>"), std::string::npos);

  // Every probe is listed with its state; the healthy ones say so.
  for (const char* probe : {"fast_path", "dashboard_health", "dashboard_levels", "dashboard_top_issues",
                            "search_issues_page", "ws_stream_subscribe"}) {
    auto tag = probe_row_tag(dom, probe);
    ASSERT_FALSE(tag.empty()) << probe << " missing from the page\n" << dom.substr(0, 4000);
    EXPECT_EQ(attribute(tag, "data-target"), "mesher") << tag;
    EXPECT_FALSE(attribute(tag, "data-state").empty()) << tag;
  }
  for (const char* probe : {"fast_path", "dashboard_health", "ws_stream_subscribe"}) {
    auto row = probe_row(dom, probe);
    EXPECT_EQ(attribute(probe_row_tag(dom, probe), "data-state"), "healthy") << row;
    EXPECT_NE(row.find("<svg class=\"spark\""), std::string::npos) << row;  // latency history
    EXPECT_NE(row.find("<polyline points="), std::string::npos) << row;
    EXPECT_TRUE(std::regex_search(row, std::regex(R"(<td class="num">[0-9.]+ m?s</td>)")))
        << row;  // last latency
  }
  EXPECT_NE(
      probe_row(dom, "dashboard_health").find("GET</span> /api/v1/projects/${project_id}/dashboard/health"),
      std::string::npos);

  // The target card: the twin is up and ready, with its pid, RSS and fds, and its console.
  auto target = target_card(dom, "mesher");
  ASSERT_FALSE(target.empty()) << dom.substr(0, 4000);
  EXPECT_NE(target.find("up · ready"), std::string::npos) << target;
  EXPECT_TRUE(std::regex_search(target, std::regex(R"(<dt>pid</dt><dd>[1-9]\d*</dd>)"))) << target;
  EXPECT_TRUE(std::regex_search(target, std::regex(R"(<dd>[0-9.]+ (KiB|MiB|GiB) RSS</dd>)"))) << target;
  EXPECT_TRUE(std::regex_search(target, std::regex(R"(<dt>fds</dt><dd>\d+ / \d+</dd>)"))) << target;
  EXPECT_NE(target.find("<dt>heartbeats</dt>"), std::string::npos) << target;
  EXPECT_NE(dom.find("id=\"incidents\""), std::string::npos);

  // The stream subscriber: connected since a wall-clock time, with its counters. The pushes the
  // page shows are those /status gave around the load (nothing in this config causes pushes,
  // but the number must be /status's, not a placeholder).
  std::string last;
  ASSERT_TRUE(twin_.wait_status([](const std::string& s) { return stream_connected(s, true); }, 15s, &last))
      << last.substr(0, 3000);
  auto pushes_before = stream_counter(twin_.status(), "pushes");
  auto streamed = load();
  ASSERT_TRUE(streamed.finished) << streamed.log;
  EXPECT_EQ(streamed.console, "");
  auto pushes_after = stream_counter(twin_.status(), "pushes");
  auto block = stream_block(target_card(streamed.dom, "mesher"));
  ASSERT_FALSE(block.empty()) << target_card(streamed.dom, "mesher");
  EXPECT_NE(block.find("data-stream=\"connected\""), std::string::npos) << block;
  // The subscribed path is the badge's tooltip.
  EXPECT_TRUE(std::regex_search(
      block,
      std::regex(R"(<span class="badge s-connected" title="/stream/projects/[0-9a-f-]+">connected</span>)")))
      << block;
  EXPECT_TRUE(std::regex_search(block, std::regex(R"(<dt>since</dt><dd>\d\d:\d\d:\d\d UTC<span)"))) << block;
  std::smatch shown;
  ASSERT_TRUE(std::regex_search(block, shown, std::regex(R"(<dt>pushes</dt><dd>(\d+)</dd>)"))) << block;
  EXPECT_GE(std::stoull(shown[1]), pushes_before) << block;
  EXPECT_LE(std::stoull(shown[1]), pushes_after) << block;
  EXPECT_NE(block.find("<dt>silent drops</dt><dd>0</dd>"), std::string::npos) << block;
  EXPECT_TRUE(std::regex_search(block, std::regex(R"(<dt>push latency</dt><dd>)"))) << block;
  EXPECT_TRUE(std::regex_search(block, std::regex(R"(<dt>pong latency</dt><dd>)"))) << block;
  EXPECT_TRUE(std::regex_search(block, std::regex(R"(<dt>reconnects</dt><dd>\d+)"))) << block;

  // The deep health route starts answering 500: the page shows that probe failing, and why.
  ASSERT_EQ(twin_.fault("status", health_route), 200);
  ASSERT_TRUE(twin_.wait_status(
      [](const std::string& s) { return probe_state(s, "dashboard_health") == "unhealthy"; }, 15s, &last))
      << last.substr(0, 3000);
  auto failing = load();
  ASSERT_TRUE(failing.finished) << failing.log;
  EXPECT_EQ(failing.console, "");
  auto row = probe_row(failing.dom, "dashboard_health");
  EXPECT_EQ(attribute(probe_row_tag(failing.dom, "dashboard_health"), "data-state"), "unhealthy") << row;
  EXPECT_NE(row.find(">http_status</b>"), std::string::npos) << row;
  EXPECT_NE(row.find("HTTP 500"), std::string::npos) << row;
  EXPECT_NE(row.find("<circle class=\"bad\""), std::string::npos) << row;  // the failed run is marked
  // The other probes are untouched, the header counts the failure, failing rows come first.
  EXPECT_EQ(attribute(probe_row_tag(failing.dom, "fast_path"), "data-state"), "healthy");
  EXPECT_NE(failing.dom.find("1 unhealthy</span>"), std::string::npos);
  EXPECT_NE(failing.dom.find("<title>(1 failing) meshwatch status</title>"), std::string::npos);
  EXPECT_LT(failing.dom.find("data-probe=\"dashboard_health\""),
            failing.dom.find("data-probe=\"fast_path\""));

  // A caught handler panic on another route: an incident, and the target's last panic.
  ASSERT_EQ(twin_.fault("handler_panic", levels_route + "&message=capacity%20overflow"), 200);
  ASSERT_TRUE(twin_.wait_status([](const std::string& s) { return has_incident(s, "panic"); }, 15s, &last))
      << last.substr(0, 3000);
  auto panicked = load();
  ASSERT_TRUE(panicked.finished) << panicked.log;
  EXPECT_EQ(panicked.console, "");
  EXPECT_TRUE(std::regex_search(
      panicked.dom, std::regex(R"re(<tr data-incident="[^"]+" data-state="(open|closed)">)re"
                               R"re(<td><span class="badge s-(open|closed)">(open|closed)</span></td>)re"
                               R"(<td class="mono">panic</td><td>mesher</td>)")))
      << panicked.dom.substr(panicked.dom.find("id=\"incidents\""), 3000);
  auto card = target_card(panicked.dom, "mesher");
  EXPECT_TRUE(std::regex_search(
      card, std::regex(R"(<dt>last panic</dt><dd><span class="mono panic"[^>]*>[^<]*capacity overflow)")))
      << card;

  // Optional artefact: MESHWATCH_STATUS_SCREENSHOT=<png> keeps a picture of this state.
  if (const char* png = std::getenv("MESHWATCH_STATUS_SCREENSHOT"); png != nullptr && *png != '\0') {
    auto shot = run_chromium(
        url_, {"--hide-scrollbars", "--window-size=1280,900", std::string("--screenshot=") + png}, 7000ms,
        90s);
    EXPECT_TRUE(shot.finished && std::filesystem::exists(png)) << shot.log;
  }

  // Cleared: the page shows the probe healthy again.
  ASSERT_EQ(twin_.fault("clear"), 200);
  ASSERT_TRUE(twin_.wait_status(
      [](const std::string& s) { return probe_state(s, "dashboard_health") == "healthy"; }, 15s, &last))
      << last.substr(0, 3000);
  auto recovered = load();
  ASSERT_TRUE(recovered.finished) << recovered.log;
  EXPECT_EQ(attribute(probe_row_tag(recovered.dom, "dashboard_health"), "data-state"), "healthy");
}

TEST_F(status_page, shows_the_stream_subscriber_disconnected_while_mesher_is_frozen) {
  std::string last;
  ASSERT_TRUE(twin_.wait_status([](const std::string& s) { return stream_connected(s, true); }, 15s, &last))
      << last.substr(0, 3000);
  // SIGSTOP: the connection stays open but nothing answers, so the subscriber's keep-alive
  // check fails (ping interval 15 s + pong timeout 5 s) and every reconnect times out; no
  // handshake can complete in between, unlike ws_reject_all, which lets new connections
  // complete the upgrade (and leaves the open one alone).
  const auto reconnects_before = stream_counter(last, "reconnects");
  const int twin_pid = twin_.ports().pid;
  ASSERT_GT(twin_pid, 0);
  ASSERT_EQ(::kill(twin_pid, SIGSTOP), 0);
  struct resume {
    int pid;
    ~resume() { ::kill(pid, SIGCONT); }
  } resume_twin{twin_pid};
  ASSERT_TRUE(twin_.wait_status([](const std::string& s) { return stream_connected(s, false); }, 40s, &last))
      << last.substr(0, 3000);
  rapidjson::Document s;
  ASSERT_TRUE(stream_status_of(last, "mesher", s));
  EXPECT_TRUE(s["last_disconnect"].IsString()) << last.substr(0, 3000);

  auto page = load();
  ASSERT_TRUE(page.finished) << page.log;
  EXPECT_EQ(page.console, "");
  auto block = stream_block(target_card(page.dom, "mesher"));
  ASSERT_FALSE(block.empty()) << target_card(page.dom, "mesher");
  EXPECT_NE(block.find("data-stream=\"disconnected\""), std::string::npos) << block;
  EXPECT_TRUE(std::regex_search(
      block,
      std::regex(
          R"(<span class="badge s-disconnected" title="/stream/projects/[0-9a-f-]+">disconnected</span>)")))
      << block;
  EXPECT_EQ(block.find("<dt>since</dt>"), std::string::npos) << block;
  // More reconnects than before the freeze, and the last one's reason (ws_no_pong first, then
  // attempts that time out).
  std::smatch shown;
  ASSERT_TRUE(std::regex_search(block, shown, std::regex(R"(<dt>reconnects</dt><dd>(\d+)<span)"))) << block;
  EXPECT_GT(std::stoull(shown[1]), reconnects_before) << block;
  EXPECT_TRUE(std::regex_search(block, std::regex(R"( · last <b class="reason">[a-z_]+</b>)"))) << block;
}

TEST_F(status_page, shows_markup_from_mesher_as_text_instead_of_running_it) {
  // The failure detail carries the start of Mesher's response body; make it markup.
  ASSERT_EQ(
      twin_.fault("status", health_route +
                                "&message=%3Cb%20id%3Dinjected%3Ehi%3C%2Fb%3E%3Cimg%20src%3Dx%20onerror%"
                                "3Dalert(1)%3E"),
      200);
  std::string last;
  ASSERT_TRUE(twin_.wait_status(
      [&](const std::string& s) {
        return probe_state(s, "dashboard_health") == "unhealthy" &&
               s.find("<b id=injected>") != std::string::npos;
      },
      15s, &last))
      << last.substr(0, 3000);
  auto page = load();
  ASSERT_TRUE(page.finished) << page.log;
  auto row = probe_row(page.dom, "dashboard_health");
  // Serialised as text (escaped), never as elements; nothing tried to load or run.
  EXPECT_NE(row.find("&lt;b id=injected&gt;hi&lt;/b&gt;&lt;img src=x onerror=alert(1)&gt;"),
            std::string::npos)
      << row;
  EXPECT_EQ(page.dom.find("<b id=\"injected\""), std::string::npos);
  EXPECT_EQ(page.dom.find("<b id=injected"), std::string::npos);
  EXPECT_EQ(page.dom.find("<img"), std::string::npos);
  EXPECT_EQ(page.console, "");
}

// With `admin.bearer_token` set, a browser opens the page with the token as the password of
// Basic credentials (what its login prompt sends, here in the URL): the page renders, and its
// refreshes of /status carry the same credentials. Without them, nothing but a 401 that asks
// for them.
TEST(status_page_token, a_browser_with_the_token_as_password_sees_the_page_and_without_it_a_401) {
  const std::string token = "page-s3cret";
  watch_setup setup;
  setup.extra_probes = page_probes;
  setup.admin_token = token;
  watched_twin twin(setup);
  std::string why;
  ASSERT_TRUE(twin.start(why)) << why << "\n" << twin.console();
  ASSERT_TRUE(twin.wait_metric(
      "meshwatch_probe_success", {{"probe", "fast_path"}}, [](auto v) { return v && *v == 1; }, 30s))
      << twin.console();
  const std::string host = "127.0.0.1:" + std::to_string(twin.admin_port()) + "/";

  auto page = run_chromium("http://browser:" + token + "@" + host, {"--dump-dom"}, 7000ms, 90s);
  ASSERT_TRUE(page.finished) << "chromium did not finish within 90 s\n" << page.log;
  EXPECT_GE(loaded_count(page.dom), 2) << page.dom.substr(0, 3000) << "\n" << page.console;
  EXPECT_EQ(page.console, "");
  EXPECT_EQ(attribute(probe_row_tag(page.dom, "fast_path"), "data-state"), "healthy")
      << page.dom.substr(0, 4000);

  auto refused = run_chromium("http://" + host, {"--dump-dom"}, 2000ms, 60s);
  ASSERT_TRUE(refused.finished) << refused.log;
  EXPECT_EQ(refused.dom.find("<title>meshwatch status</title>"), std::string::npos) << refused.dom;
  EXPECT_EQ(loaded_count(refused.dom), -1);
  auto raw =
      raw_exchange("127.0.0.1", twin.admin_port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(raw);
  EXPECT_TRUE(raw->starts_with("HTTP/1.1 401")) << *raw;
  EXPECT_NE(raw->find("WWW-Authenticate: Bearer\r\n"), std::string::npos) << *raw;
  EXPECT_NE(raw->find("WWW-Authenticate: Basic realm=\"meshwatch\""), std::string::npos) << *raw;
}

}  // namespace
}  // namespace meshwatch::test
