// mesher-twin: a stand-in for the Mesher server (DESIGN.md §12). Wiring only.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/twin/twin_app.hpp"

extern char** environ;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  try {
    return meshwatch::twin::run_twin(meshwatch::twin::parse_options(args, env));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "[mesher-twin] %s\n", e.what());
    return 2;
  }
}
