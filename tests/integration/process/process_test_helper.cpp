// A stand-in for Mesher in the process-watcher tests, driven by signals so tests can wait
// on effects instead of sleeping:
//   process_test_helper run <ready-file> [tokens…]     stays in the foreground
//   process_test_helper daemon <pidfile> [tokens…]     double-forks (not the caller's child)
// In both, once signals are set up the PID is written (atomically) to the file, then:
//   SIGUSR1 allocates and touches 64 MiB, SIGUSR2 opens 100 more fds, SIGHUP exits 0;
//   anything else has its default action (SIGSEGV, SIGABRT, SIGKILL … kill it).
// Extra tokens are ignored: they make the command line unique for the `match` selector.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr std::size_t grow_bytes = 64 * 1024 * 1024;
constexpr int fds_per_step = 100;

void write_pid_file(const std::string& path) {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) {
    std::perror("pid file");
    std::exit(2);
  }
  std::fprintf(f, "%d\n", static_cast<int>(getpid()));
  std::fclose(f);
  std::rename(tmp.c_str(), path.c_str());
}

[[noreturn]] void serve(const std::string& file) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  write_pid_file(file);
  std::vector<char*> blocks;
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) {
      continue;
    }
    if (sig == SIGHUP) {
      std::exit(0);
    }
    if (sig == SIGUSR1) {
      auto* block = static_cast<char*>(std::malloc(grow_bytes));
      if (block != nullptr) {
        std::memset(block, 0x5a, grow_bytes);  // touch every page so it is resident
        blocks.push_back(block);
      }
    }
    if (sig == SIGUSR2) {
      for (int i = 0; i < fds_per_step; ++i) {
        open("/dev/null", O_RDONLY);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s run|daemon <file> [tokens…]\n", argv[0]);
    return 2;
  }
  // Crashes are the point of these tests; core files are not.
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  std::string mode = argv[1];
  std::string file = argv[2];
  if (mode == "run") {
    serve(file);
  }
  if (mode == "daemon") {
    pid_t first = fork();
    if (first < 0) {
      return 3;
    }
    if (first == 0) {
      setsid();
      pid_t second = fork();
      if (second != 0) {
        _exit(second < 0 ? 3 : 0);
      }
      // The grandchild: reparented away from the caller once the middle process exits.
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, STDIN_FILENO);
      dup2(devnull, STDOUT_FILENO);
      dup2(devnull, STDERR_FILENO);
      serve(file);
    }
    int status = 0;
    waitpid(first, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
