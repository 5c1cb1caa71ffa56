// The `targets` part of /status: per target, what the process and console watchers and the
// stream subscriber know.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cmath>

#include "daemon/stream_monitor.hpp"
#include "daemon/target_watch.hpp"

namespace meshwatch {
namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(writer& w, std::string_view text) {
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

std::string_view selector_name(const process_selector& s) {
  if (std::holds_alternative<process_pidfile>(s)) return "pidfile";
  if (std::holds_alternative<process_systemd_unit>(s)) return "systemd_unit";
  if (std::holds_alternative<process_match>(s)) return "match";
  return "exec";
}

std::string_view source_name(const console_config& c) {
  if (std::holds_alternative<console_file>(c)) return "file";
  if (std::holds_alternative<console_journald>(c)) return "journald";
  return "child";
}

std::string_view heartbeat_state_name(heartbeat_state s) {
  switch (s) {
    case heartbeat_state::ok: return "ok";
    case heartbeat_state::warn: return "warn";
    case heartbeat_state::alert: return "alert";
  }
  return "ok";
}

void write_exit(writer& w, const exit_report& r) {
  w.StartObject();
  w.Key("code");
  write_string(w, exit_code_label(r.status));
  w.Key("signal");
  write_string(w, exit_signal_label(r.status));
  w.Key("classification");
  write_string(w, to_string(r.classification));
  w.Key("uptime_seconds");
  w.Double(std::chrono::duration<double>(r.uptime).count());
  w.EndObject();
}

/** Bounded text: values from the process (paths, environment) are cut, never trusted in size. */
void write_bounded(writer& w, std::string_view text, std::size_t max = 256) {
  write_string(w, text.substr(0, max));
}

/** The D13 snapshot of the latest (re)start: what a crash right after it is judged against. */
void write_environment(writer& w, const environment_snapshot& e) {
  w.StartObject();
  w.Key("pid");
  w.Int(e.pid);
  w.Key("binary_path");
  write_bounded(w, e.binary_path, 1024);
  w.Key("binary_deleted");
  w.Bool(e.binary_deleted);
  w.Key("binary_size");
  w.Int64(e.binary_size);
  w.Key("binary_mtime_unix");
  w.Double(e.binary_mtime_seconds);
  w.Key("binary_hash");
  write_bounded(w, e.binary_hash, 32);
  w.Key("binary_hash_complete");
  w.Bool(e.binary_hash_complete);
  w.Key("online_cpus");
  w.Int(e.online_cpus);
  w.Key("affinity_cpus");
  w.Int(e.affinity_cpus);
  w.Key("cpu_quota");
  write_bounded(w, e.cpu_quota, 64);
  w.Key("max_open_files");
  w.Int64(e.max_open_files);
  w.Key("max_core_bytes");
  w.Int64(e.max_core_bytes);
  w.Key("localhost_order");
  if (e.localhost_order.empty()) {
    w.Null();  // the lookup has not answered yet
  } else {
    write_bounded(w, e.localhost_order);
  }
  w.Key("mesher_env");
  if (e.environ_readable) {
    // Already masked and bounded in count and value size by the snapshot.
    w.StartObject();
    for (const auto& [name, value] : e.mesher_env) {
      write_bounded(w, name, 128);
      write_bounded(w, value, 512);
    }
    w.EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
}

void write_process(writer& w, const target_watch& t) {
  if (!t.process || !t.process_cfg) {
    w.Null();
    return;
  }
  const auto& p = *t.process;
  auto current = p.current();
  auto ready = p.readiness_state();
  w.StartObject();
  w.Key("selector");
  write_string(w, selector_name(t.process_cfg->selector));
  w.Key("pid");
  if (current) {
    w.Int(current->pid);
  } else {
    w.Null();
  }
  w.Key("up");
  w.Bool(current.has_value());
  w.Key("readiness");
  write_string(w, to_string(ready));
  w.Key("ready");
  w.Bool(ready == readiness::ready);
  w.Key("in_start_grace");
  w.Bool(p.in_start_grace());
  w.Key("restarts");
  w.Uint64(t.restarts);
  // The watcher's last identity-checked sample (every 10 s by default), with its age.
  w.Key("resources");
  if (auto snapshot = p.last_resources()) {
    const auto& s = snapshot->sample;
    w.StartObject();
    w.Key("resident_bytes");
    w.Uint64(s.resident_bytes);
    w.Key("threads");
    w.Int64(s.threads);
    w.Key("open_fds");
    w.Int64(s.open_fds);
    w.Key("max_fds");
    w.Int64(s.max_fds);
    // Per listener; absent when the fds could not be read (ownership unknown).
    w.Key("close_wait_sockets");
    if (snapshot->close_wait.size() == p.listeners().size()) {
      w.StartObject();
      for (std::size_t i = 0; i < snapshot->close_wait.size(); ++i) {
        write_string(w, p.listeners()[i].name);
        w.Int64(snapshot->close_wait[i]);
      }
      w.EndObject();
    } else {
      w.Null();
    }
    w.Key("close_wait_truncated");
    w.Bool(snapshot->close_wait_truncated);
    w.Key("sampled_seconds_ago");
    w.Double(std::chrono::duration<double>(std::chrono::steady_clock::now() - snapshot->at).count());
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("environment");
  if (auto environment = p.last_environment()) {
    write_environment(w, *environment);
  } else {
    w.Null();
  }
  w.Key("exit_status_available");
  w.Bool(p.exit_status_available());
  w.Key("last_exit");
  if (t.last_exit) {
    write_exit(w, *t.last_exit);
  } else {
    w.Null();
  }
  w.EndObject();
}

void write_console(writer& w, const target_watch& t) {
  if (!t.console || !t.console_cfg) {
    w.Null();
    return;
  }
  auto now = std::chrono::steady_clock::now();
  const auto& beats = t.console->heartbeats();
  w.StartObject();
  w.Key("source");
  write_string(w, source_name(*t.console_cfg));
  if (!t.console_error.empty()) {
    w.Key("error");
    write_string(w, t.console_error.substr(0, 256));
  }
  w.Key("heartbeats");
  w.StartObject();
  for (auto h : all_heartbeats) {
    w.Key(to_string(h).data(), static_cast<rapidjson::SizeType>(to_string(h).size()));
    w.StartObject();
    w.Key("age_seconds");
    w.Double(std::chrono::duration<double>(beats.age(h, now)).count());
    w.Key("seen");
    w.Bool(beats.last_seen(h).has_value());
    w.Key("state");
    write_string(w, heartbeat_state_name(beats.state(h, now)));
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
}

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

void write_optional_seconds(writer& w, const std::optional<double>& seconds) {
  // The writer refuses NaN and infinities (the document would end there): those are "none".
  if (seconds && std::isfinite(*seconds)) {
    w.Double(*seconds);
  } else {
    w.Null();
  }
}

void write_stream(writer& w, const stream_status* s) {
  if (s == nullptr) {
    w.Null();
    return;
  }
  w.StartObject();
  w.Key("path");
  write_string(w, s->path);
  w.Key("connected");
  w.Bool(s->connected);
  w.Key("connected_since_unix");
  if (s->connected_since) {
    w.Double(unix_seconds(*s->connected_since));
  } else {
    w.Null();
  }
  w.Key("connections");
  w.Uint64(s->connections);
  w.Key("reconnects");
  w.Uint64(s->reconnects);
  w.Key("last_disconnect");
  if (s->last_disconnect.empty()) {
    w.Null();
  } else {
    write_string(w, s->last_disconnect);
  }
  // The detail can quote what the server sent (a close reason, a handshake body): cut it.
  w.Key("last_error");
  write_string(w, std::string_view(s->last_error).substr(0, 256));
  w.Key("pushes");
  w.Uint64(s->pushes);
  w.Key("silent_drops");
  w.Uint64(s->silent_drops);
  w.Key("last_push_latency_seconds");
  write_optional_seconds(w, s->last_push_latency_seconds);
  w.Key("last_pong_latency_seconds");
  write_optional_seconds(w, s->last_pong_latency_seconds);
  w.EndObject();
}

const stream_status* stream_of(const std::vector<stream_status>& streams, const std::string& target) {
  for (const auto& s : streams) {
    if (s.target == target) return &s;
  }
  return nullptr;
}

}  // namespace

std::string render_targets_status(const std::vector<std::unique_ptr<target_watch>>& targets,
                                  const std::vector<stream_status>& streams,
                                  const std::map<std::string, std::string>& pg_ssl) {
  rapidjson::StringBuffer buffer;
  writer w(buffer);
  w.StartArray();
  for (const auto& t : targets) {
    w.StartObject();
    w.Key("target");
    write_string(w, t->name);
    w.Key("process");
    write_process(w, *t);
    w.Key("console");
    write_console(w, *t);
    w.Key("stream");
    write_stream(w, stream_of(streams, t->name));
    // D13's PostgreSQL side (F-32): `ssl = on` with a self-signed certificate fails Mesher's start.
    w.Key("database");
    if (auto it = pg_ssl.find(t->name); it != pg_ssl.end()) {
      w.StartObject();
      w.Key("ssl");
      if (it->second.empty()) {
        w.Null();  // not read yet (no successful seeding so far)
      } else {
        write_bounded(w, it->second, 16);
      }
      w.EndObject();
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace meshwatch
