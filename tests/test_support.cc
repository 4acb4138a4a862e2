#include "tests/test_support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fleetsizer::testing {

void expect_one_line_error(const std::string& args, const std::string& needle) {
  const RunResult r = run_cli(args);
  EXPECT_NE(r.exit_code, 0) << args;
  EXPECT_TRUE(r.out.empty()) << args << " printed to stdout: " << r.out;
  ASSERT_FALSE(r.err.empty()) << args;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line: " << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << args << "\nerror was: " << r.err;
}

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

// Per process: ctest runs test processes in parallel, and two of them may run the same command (or
// ask for the same folder name); neither may remove the other's files.
std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("fleetsizer-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

RunResult run_cli(const std::string& args, int timeout_s) {
  static std::atomic<int> runs{0};
  const std::string dir = temp_dir("stderr-" + std::to_string(runs++));
  const std::string err_path = dir + "/stderr.txt";
  const std::string limit = timeout_s > 0 ? "timeout " + std::to_string(timeout_s) + " " : "";
  const std::string command = "cd '" + std::string(FLEETSIZER_SOURCE_DIR) + "' && " + limit + "'" +
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

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace fleetsizer::testing {

// Sends `bytes` on a fresh connection, half-closes, and reads until the server closes or
// `timeout_ms` passes. Empty when nothing came back.
std::string raw_exchange(int port, const std::string& bytes, int timeout_ms) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<unsigned short>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string got;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;  // the server may answer 413 and close before reading it all
      sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return got;
}

std::string raw_post(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

int status_of(const std::string& reply) {
  if (reply.rfind("HTTP/1.1 ", 0) != 0 || reply.size() < 12) return 0;
  return std::atoi(reply.substr(9, 3).c_str());
}

std::string raw_get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
}

// The body of the first response (a mutated Content-Length can make the rest a second request).
std::string body_of(const std::string& reply) {
  const auto at = reply.find("\r\n\r\n");
  const auto length = reply.find("Content-Length: ");
  if (at == std::string::npos || length == std::string::npos || length > at) return {};
  return reply.substr(at + 4, std::stoul(reply.substr(length + 16, 12)));
}

EmulatorProcess::EmulatorProcess(const std::string& args, double max_seconds,
                                 const std::string& server) {
  const std::string dir = temp_dir(server + "-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(std::hash<std::string>{}(args)));
  const std::string port_file = dir + "/port";
  stderr_path_ = dir + "/stderr";
  const std::string command = std::string("exec '") + FLEETSIZER_BINARY + "' " + server +
                              " --port 0 --port-file '" + port_file + "' --max-seconds " +
                              std::to_string(max_seconds) + " " + args + " 2>'" + stderr_path_ +
                              "'";
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 200 && port_ == 0; ++i) {  // up to 20 s for a sanitizer build to start
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string text = read_text(port_file);
    if (!text.empty()) port_ = std::stoi(text);
  }
}

EmulatorProcess::~EmulatorProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

}  // namespace fleetsizer::testing
