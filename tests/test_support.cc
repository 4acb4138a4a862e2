#include "tests/test_support.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fleetsizer::testing {

std::string source_path(const std::string& relative) {
  return std::string(FLEETSIZER_SOURCE_DIR) + "/" + relative;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("fleetsizer-test-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

RunResult run_cli(const std::string& args) {
  const std::string dir = temp_dir("stderr-" + std::to_string(std::hash<std::string>{}(args)));
  const std::string err_path = dir + "/stderr.txt";
  const std::string command = "cd '" + std::string(FLEETSIZER_SOURCE_DIR) + "' && '" +
                              FLEETSIZER_BINARY + "' " + args + " 2>'" + err_path + "'";
  RunResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {127, "", "popen failed"};
  std::array<char, 4096> buffer{};
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  r.err = read_text(err_path);
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace fleetsizer::testing
