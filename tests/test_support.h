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
// With timeout_s > 0 the run is stopped after that long (exit code 124, as timeout(1) says).
RunResult run_cli(const std::string& args, int timeout_s = 0);
// Expects `fleetsizer <args>` to fail with one line on stderr that contains `needle`, nothing on
// stdout and a non-zero exit (GoogleTest expectations).
void expect_one_line_error(const std::string& args, const std::string& needle);
std::string source_path(const std::string& relative);
std::string read_text(const std::string& path);
// A fresh empty folder under the build tree's temp area.
std::string temp_dir(const std::string& name);
void write_text(const std::string& path, const std::string& text);

}  // namespace fleetsizer::testing

namespace fleetsizer::testing {

// Sends `bytes` to 127.0.0.1:port on a fresh connection, half-closes, and reads until the server
// closes or `timeout_ms` passes. Empty when nothing came back.
std::string raw_exchange(int port, const std::string& bytes, int timeout_ms = 3000);
// An HTTP/1.1 request with a JSON body (raw_exchange's bytes).
std::string raw_post(const std::string& target, const std::string& body);
std::string raw_get(const std::string& target);
// The status of a raw HTTP reply (0 when it is not one), and the body of its first response.
int status_of(const std::string& reply);
std::string body_of(const std::string& reply);

// A `fleetsizer emulate` (or another server `command` taking --port 0, --port-file and
// --max-seconds) child process on 127.0.0.1 with an ephemeral port, stopped (and bounded by
// --max-seconds) when the object goes away; its stderr is kept in stderr_path().
class EmulatorProcess {
 public:
  explicit EmulatorProcess(const std::string& args, double max_seconds = 120,
                           const std::string& command = "emulate");
  std::string stderr_path() const { return stderr_path_; }
  ~EmulatorProcess();
  EmulatorProcess(const EmulatorProcess&) = delete;
  EmulatorProcess& operator=(const EmulatorProcess&) = delete;
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int pid_ = -1;
  int port_ = 0;
  std::string stderr_path_;
};

}  // namespace fleetsizer::testing
