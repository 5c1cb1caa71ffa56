#pragma once
// Active fault injections (set through the control port). Route-scoped faults are keyed by the
// route template of API.md §3 (empty = every one of the 36 routes; never the 404 fast path,
// which in Mesher does not touch the services that hang or fail).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace meshwatch::twin {

enum class route_fault_kind { hang, slow, status, badjson, shape, handler_panic, segv, panic };

struct route_fault {
  route_fault_kind kind = route_fault_kind::hang;
  std::string route;    // template or "" for all routes
  long ms = 0;          // slow
  std::string key;      // shape: key to drop ("" = first key)
  std::string message;  // panic message / status body error text
};

const char* fault_name(route_fault_kind kind);

class fault_registry {
 public:
  void add(route_fault fault);
  std::vector<route_fault> for_route(const std::string& path_template) const;
  /** Removes every route fault and wakes hung requests. */
  void clear_routes();
  std::vector<route_fault> route_faults() const;

  /**
   * Blocks while a `hang` fault covers `path_template`. Returns when the fault is cleared or
   * `give_up()` says the client left (polled every 100 ms).
   */
  template <class GiveUp>
  void hang_while_active(const std::string& path_template, GiveUp give_up) {
    std::unique_lock lock(mutex_);
    while (hang_active_locked(path_template) && !give_up()) {
      changed_.wait_for(lock, std::chrono::milliseconds(100));
    }
  }

  std::atomic<bool> heartbeats_stopped{false};

 private:
  bool hang_active_locked(const std::string& path_template) const;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<route_fault> faults_;
};

/** Rust's default panic output for a panic inside an `extern "C"` function (RUNTIME.md §5.5). */
std::string rust_abort_panic_text(const std::string& message);
/** The first half only, as printed for a panic caught by the runtime's handler wrapper. */
std::string rust_caught_panic_text(const std::string& location, const std::string& message);

}  // namespace meshwatch::twin
