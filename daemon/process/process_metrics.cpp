#include "daemon/process/process_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <csignal>

namespace meshwatch {
namespace {

prometheus::Gauge* gauge(prometheus::Registry& registry, const char* name, const char* help,
                         const std::string& target) {
  return &prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({{"target", target}});
}

prometheus::Counter* counter(prometheus::Registry& registry, const char* name, const char* help,
                             const std::string& target) {
  return &prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({{"target", target}});
}

}  // namespace

process_metrics::process_metrics(prometheus::Registry& registry, std::string target,
                                 const std::vector<tcp_listener>& listeners)
    : target_(std::move(target)) {
  up_ = gauge(registry, "meshwatch_target_up", "1 while the target's process is running.", target_);
  ready_ = gauge(registry, "meshwatch_target_ready",
                 "1 once the running process printed its HTTP listening line and passed a fast-path probe.",
                 target_);
  start_time_ = gauge(registry, "meshwatch_target_start_time_seconds",
                      "Start time of the target's current process, Unix seconds.", target_);
  restarts_ = counter(registry, "meshwatch_target_restarts_total",
                      "Times a new process of the target was seen after a previous one.", target_);
  crash_looping_ =
      gauge(registry, "meshwatch_target_crash_looping",
            "1 while restarts within the configured window reach the crash-loop threshold.", target_);
  resident_ = gauge(registry, "meshwatch_target_resident_memory_bytes",
                    "Resident memory of the target's process.", target_);
  cpu_ = counter(registry, "meshwatch_target_cpu_seconds_total",
                 "User plus system CPU time of the target's processes, summed across restarts.", target_);
  threads_ = gauge(registry, "meshwatch_target_threads", "OS threads of the target's process.", target_);
  open_fds_ =
      gauge(registry, "meshwatch_target_open_fds", "Open file descriptors of the target's process.", target_);
  max_fds_ =
      gauge(registry, "meshwatch_target_max_fds",
            "Soft RLIMIT_NOFILE of the target's process (absent value: unlimited or unknown).", target_);
  auto& close_wait = prometheus::BuildGauge()
                         .Name("meshwatch_target_close_wait_sockets")
                         .Help(
                             "Sockets of the target's process in CLOSE_WAIT on its http or ws port: "
                             "connections the peer closed that the process never closed (a leak).")
                         .Register(registry);
  for (const auto& listener : listeners) {
    close_wait_.push_back(&close_wait.Add({{"target", target_}, {"listener", listener.name}}));
  }
  exits_family_ = &prometheus::BuildCounter()
                       .Name("meshwatch_target_exits_total")
                       .Help(
                           "Exits of the target's process by exit code (0-255) or signal name; both empty = "
                           "status unknown (not a child and no proc connector).")
                       .Register(registry);
  // The D1 statuses (RUNTIME.md §7) exist from the start, at 0.
  exit_series(exit_status::unknown());
  exit_series(exit_status::exited_with(0));
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGKILL, SIGPIPE, SIGTERM, SIGINT}) {
    exit_series(exit_status::killed_by(sig));
  }
}

prometheus::Counter& process_metrics::exit_series(const exit_status& status) {
  return exits_family_->Add(
      {{"target", target_}, {"code", exit_code_label(status)}, {"signal", exit_signal_label(status)}});
}

void process_metrics::set_up(bool up) { up_->Set(up ? 1 : 0); }
void process_metrics::set_ready(bool ready) { ready_->Set(ready ? 1 : 0); }
void process_metrics::set_start_time(double unix_seconds) { start_time_->Set(unix_seconds); }
void process_metrics::count_restart() { restarts_->Increment(); }
void process_metrics::set_crash_looping(bool looping) { crash_looping_->Set(looping ? 1 : 0); }

void process_metrics::count_exit(const exit_status& status) { exit_series(status).Increment(); }

void process_metrics::observe(const resource_sampler::reading& reading) {
  resident_->Set(static_cast<double>(reading.sample.resident_bytes));
  cpu_->Increment(reading.cpu_seconds_delta);
  threads_->Set(static_cast<double>(reading.sample.threads));
  if (reading.sample.open_fds >= 0) {
    open_fds_->Set(static_cast<double>(reading.sample.open_fds));
  }
  if (reading.sample.max_fds >= 0) {
    max_fds_->Set(static_cast<double>(reading.sample.max_fds));
  }
  // Empty when the fds could not be read: ownership unknown, the last value stays.
  for (std::size_t i = 0; i < reading.close_wait.size() && i < close_wait_.size(); ++i) {
    close_wait_[i]->Set(static_cast<double>(reading.close_wait[i]));
  }
}

void process_metrics::clear_usage() {
  resident_->Set(0);
  threads_->Set(0);
  open_fds_->Set(0);
  for (auto* gauge : close_wait_) {
    gauge->Set(0);  // the kernel closes a dead process's sockets
  }
}

}  // namespace meshwatch
