#pragma once
// Mesher's two console streams. Every line is written with one write(2) at its newline, as a
// Rust println!/eprintln! does even into a pipe. stdout can be "blocked" by a fault: writers
// then wait exactly as they would on a full pipe whose reader stopped draining (F-38).
#include <condition_variable>
#include <mutex>
#include <string>

namespace meshwatch::twin {

class console {
 public:
  /** `[Mesher] …` lines and other Mesher println! output (stdout). */
  void out(const std::string& line);
  /** `[mesh-rt] …` lines and panic text (stderr). */
  void err(const std::string& line);
  /** Several stderr lines written back to back (a panic block). */
  void err_block(const std::string& text);

  void set_stdout_blocked(bool blocked);
  bool stdout_blocked() const;

 private:
  static void write_all(int fd, const std::string& bytes);

  mutable std::mutex out_mutex_;
  std::condition_variable out_unblocked_;
  bool out_blocked_ = false;
  std::mutex err_mutex_;
};

}  // namespace meshwatch::twin
