#include "tests/twin/control.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/twin/twin_context.hpp"

namespace meshwatch::twin {
namespace {

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::optional<long> number(const std::map<std::string, std::string>& q, const std::string& key,
                           long fallback) {
  auto it = q.find(key);
  if (it == q.end()) return fallback;
  long v = 0;
  auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || ptr != it->second.data() + it->second.size() || v < 0) return std::nullopt;
  return v;
}

http_response ok() { return http_response{200, "{\"ok\":true}"}; }
http_response bad(const std::string& why) {
  return http_response{400, "{\"error\":" + json_string(why) + "}"};
}

}  // namespace

struct control_plane::state {
  explicit state(twin_context& c) : ctx(c) {}
  twin_context& ctx;
  std::mutex mutex;
  bool ws_reject = false;
  bool ws_no_pong = false;
  // leak: a thread that allocates and touches memory until cleared
  std::shared_ptr<std::atomic<bool>> leak_running;
  long leak_rate = 0;
  // one store per leak thread, all kept until /fault/clear
  std::vector<std::shared_ptr<std::vector<std::unique_ptr<char[]>>>> leak_stores;
  std::vector<int> held_fds;

  void stop_leak() {
    if (leak_running) leak_running->store(false);
    leak_running.reset();
    leak_rate = 0;
  }
};

control_plane::control_plane(twin_context& ctx) : state_(std::make_unique<state>(ctx)) {}
control_plane::~control_plane() = default;

void control_plane::handle(http_connection& conn, http_request& req) {
  auto& st = *state_;
  auto& ctx = st.ctx;
  std::map<std::string, std::string> query;
  for (auto& [k, v] : req.query()) query[k] = percent_decode(v);
  auto get = [&](const std::string& k, const std::string& fallback) {
    auto it = query.find(k);
    return it == query.end() ? fallback : it->second;
  };

  if (req.method == "GET" && req.path == "/faults") {
    std::lock_guard lock(st.mutex);
    std::string out = "[";
    auto add = [&](const std::string& item) { out += (out.size() > 1 ? "," : "") + item; };
    for (const auto& f : ctx.faults.route_faults()) {
      std::string item = "{\"name\":\"" + std::string(fault_name(f.kind)) +
                         "\",\"route\":" + (f.route.empty() ? std::string("null") : json_string(f.route));
      if (f.kind == route_fault_kind::slow) item += ",\"ms\":" + std::to_string(f.ms);
      add(item + "}");
    }
    if (ctx.faults.heartbeats_stopped) add("{\"name\":\"heartbeat_stop\"}");
    if (ctx.con.stdout_blocked()) add("{\"name\":\"stdout_block\"}");
    if (st.ws_reject) add("{\"name\":\"ws_reject_all\"}");
    if (st.ws_no_pong) add("{\"name\":\"ws_no_pong\"}");
    if (st.leak_running) add("{\"name\":\"leak\",\"bytes_per_sec\":" + std::to_string(st.leak_rate) + "}");
    if (!st.held_fds.empty()) add("{\"name\":\"fds\",\"count\":" + std::to_string(st.held_fds.size()) + "}");
    conn.respond(http_response{200, out + "]"});
    return;
  }
  const std::string prefix = "/fault/";
  if (req.method != "POST" || req.path.compare(0, prefix.size(), prefix) != 0) {
    conn.respond(http_response{404, "{\"error\":\"not found\"}"});
    return;
  }
  std::string name = req.path.substr(prefix.size());
  std::string route = get("route", "");

  if (name == "clear") {
    std::lock_guard lock(st.mutex);
    ctx.faults.clear_routes();
    ctx.faults.heartbeats_stopped = false;
    ctx.con.set_stdout_blocked(false);
    ctx.ws.set_reject_all(false);
    ctx.ws.set_no_pong(false);
    st.ws_reject = st.ws_no_pong = false;
    st.stop_leak();
    st.leak_stores.clear();
    for (int fd : st.held_fds) ::close(fd);
    st.held_fds.clear();
    conn.respond(ok());
    return;
  }

  static const std::map<std::string, route_fault_kind> route_kinds = {
      {"hang", route_fault_kind::hang},     {"slow", route_fault_kind::slow},
      {"status", route_fault_kind::status}, {"badjson", route_fault_kind::badjson},
      {"shape", route_fault_kind::shape},   {"handler_panic", route_fault_kind::handler_panic},
      {"segv", route_fault_kind::segv},     {"panic", route_fault_kind::panic}};
  if (auto kind = route_kinds.find(name); kind != route_kinds.end()) {
    route_fault f;
    f.kind = kind->second;
    f.route = route;
    auto ms = number(query, "ms", 1000);
    if (!ms) {
      conn.respond(bad("ms must be a non-negative integer"));
      return;
    }
    f.ms = *ms;
    f.key = get("key", "");
    if (f.kind == route_fault_kind::panic) {
      f.message = get("message", "Mesh panic at <unknown>:0: non-exhaustive match in switch");
    } else if (f.kind == route_fault_kind::handler_panic) {
      f.message = get("message", "capacity overflow");
    } else if (f.kind == route_fault_kind::status) {
      f.message = get("message", "pool connect: connection failed: Connection refused (os error 111)");
    }
    bool immediate = route.empty() && (f.kind == route_fault_kind::segv || f.kind == route_fault_kind::panic);
    if (!immediate) {
      ctx.faults.add(std::move(f));
      conn.respond(ok());
      return;
    }
    conn.respond(ok());
    ::shutdown(conn.fd(), SHUT_RDWR);
    if (f.kind == route_fault_kind::panic) {
      ctx.con.err_block(rust_abort_panic_text(f.message));
      std::abort();
    }
    std::signal(SIGSEGV, SIG_DFL);
    std::raise(SIGSEGV);
    std::abort();
  }
  if (name == "exit0") {
    conn.respond(ok());
    ::shutdown(conn.fd(), SHUT_RDWR);
    ctx.con.out("[Mesher] Failed to connect to PostgreSQL");
    std::_Exit(0);
  }
  if (name == "batch_drop") {
    // The StorageWriter's give-up line (RUNTIME.md §4, F-11), once per dropped batch. Printed
    // outside the fault lock: a stdout_block fault would otherwise hold the control port.
    auto batches = number(query, "count", 1);
    auto events = number(query, "events", 50);
    if (!batches || !events || *batches > 10000) {
      conn.respond(bad("count (<= 10000) and events must be non-negative integers"));
      return;
    }
    for (long i = 0; i < *batches; ++i) {
      ctx.con.out("[StorageWriter] Dropping batch of " + std::to_string(*events) +
                  " events for project default after 3 retries");
    }
    conn.respond(ok());
    return;
  }
  std::lock_guard lock(st.mutex);
  if (name == "heartbeat_stop") {
    ctx.faults.heartbeats_stopped = true;
  } else if (name == "stdout_block") {
    ctx.con.set_stdout_blocked(true);
  } else if (name == "ws_reject_all") {
    st.ws_reject = true;
    ctx.ws.set_reject_all(true);
  } else if (name == "ws_no_pong") {
    st.ws_no_pong = true;
    ctx.ws.set_no_pong(true);
  } else if (name == "leak") {
    auto rate = number(query, "bytes_per_sec", 1 << 20);
    auto cap = number(query, "max_bytes", 1L << 30);  // bounded: never takes the test machine down
    if (!rate || !cap || *rate == 0) {
      conn.respond(bad("bytes_per_sec and max_bytes must be positive integers"));
      return;
    }
    st.stop_leak();
    auto store = std::make_shared<std::vector<std::unique_ptr<char[]>>>();
    st.leak_stores.push_back(store);
    auto running = std::make_shared<std::atomic<bool>>(true);
    st.leak_running = running;
    st.leak_rate = *rate;
    std::thread([running, chunks = store, rate = *rate, cap = *cap] {
      long total = 0;
      auto next = std::chrono::steady_clock::now();
      while (running->load() && total < cap) {
        long step = std::max(1L, rate / 10);
        auto chunk = std::make_unique<char[]>(static_cast<std::size_t>(step));
        std::memset(chunk.get(), 0x5a, static_cast<std::size_t>(step));  // touched → resident
        chunks->push_back(std::move(chunk));
        total += step;
        next += std::chrono::milliseconds(100);
        std::this_thread::sleep_until(next);
      }
    }).detach();
  } else if (name == "fds") {
    auto count = number(query, "count", 100);
    if (!count) {
      conn.respond(bad("count must be a non-negative integer"));
      return;
    }
    for (long i = 0; i < *count; ++i) {
      int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) break;  // the limit is reached: exactly the state F-34 describes
      st.held_fds.push_back(fd);
    }
  } else {
    conn.respond(http_response{404, "{\"error\":" + json_string("unknown fault: " + name) + "}"});
    return;
  }
  conn.respond(ok());
}

}  // namespace meshwatch::twin
