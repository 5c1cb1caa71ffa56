#include "tests/twin/faults.hpp"

#include <sys/syscall.h>
#include <unistd.h>

namespace meshwatch::twin {
namespace {

std::string thread_header(const std::string& location) {
  // Recent rustc prints the OS thread id; Mesh worker threads are unnamed.
  long tid = ::syscall(SYS_gettid);
  return "thread '<unnamed>' (" + std::to_string(tid) + ") panicked at " + location + ":\n";
}

}  // namespace

const char* fault_name(route_fault_kind kind) {
  switch (kind) {
    case route_fault_kind::hang: return "hang";
    case route_fault_kind::slow: return "slow";
    case route_fault_kind::status: return "status";
    case route_fault_kind::badjson: return "badjson";
    case route_fault_kind::shape: return "shape";
    case route_fault_kind::handler_panic: return "handler_panic";
    case route_fault_kind::segv: return "segv";
    case route_fault_kind::panic: return "panic";
  }
  return "unknown";
}

void fault_registry::add(route_fault fault) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(fault));
  changed_.notify_all();
}

std::vector<route_fault> fault_registry::for_route(const std::string& path_template) const {
  std::lock_guard lock(mutex_);
  std::vector<route_fault> out;
  for (const auto& f : faults_) {
    if (f.route.empty() || f.route == path_template) out.push_back(f);
  }
  return out;
}

void fault_registry::clear_routes() {
  std::lock_guard lock(mutex_);
  faults_.clear();
  changed_.notify_all();
}

std::vector<route_fault> fault_registry::route_faults() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

bool fault_registry::hang_active_locked(const std::string& path_template) const {
  for (const auto& f : faults_) {
    if (f.kind == route_fault_kind::hang && (f.route.empty() || f.route == path_template)) return true;
  }
  return false;
}

std::string rust_abort_panic_text(const std::string& message) {
  std::string text =
      "\n" + thread_header("crates/mesh-rt/src/panic.rs:33:9") + message + "\n" +
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n" +
      thread_header("/rustc/254b59607d4417e9dffbc307138ae5c86280fe4c/library/core/src/panicking.rs:225:5") +
      "panic in a function that cannot unwind\n"
      "stack backtrace:\n"
      "   0:     0x5581a1f3c8e2 - std::backtrace_rs::backtrace::libunwind::trace\n"
      "   1:     0x5581a1f3c8e2 - std::backtrace_rs::backtrace::trace_unsynchronized\n"
      "   2:     0x5581a1f3c8e2 - std::sys::backtrace::_print_fmt\n"
      "   3:     0x5581a1f1b1a3 - core::panicking::panic_nounwind_fmt\n"
      "   4:     0x5581a1f1b237 - core::panicking::panic_cannot_unwind\n"
      "   5:     0x5581a1e4d0a1 - mesh_panic\n"
      "thread caused non-unwinding panic. aborting.\n";
  return text;
}

std::string rust_caught_panic_text(const std::string& location, const std::string& message) {
  return "\n" + thread_header(location) + message + "\n" +
         "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
}

}  // namespace meshwatch::twin
