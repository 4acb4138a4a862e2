#pragma once
// Helpers for tests: run the built fleetsizer binary and capture its output and exit code.
#include <string>

namespace fleetsizer::testing {

struct RunResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Runs `fleetsizer <args>` (args is shell-quoted by the caller) from the repository root.
RunResult run_cli(const std::string& args);
std::string source_path(const std::string& relative);
std::string read_text(const std::string& path);
// A fresh empty folder under the build tree's temp area.
std::string temp_dir(const std::string& name);
void write_text(const std::string& path, const std::string& text);

}  // namespace fleetsizer::testing
