#include "cli/bounded_call.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <exception>

namespace fleetsizer::cli {
namespace {

// The first byte the child writes says what follows: the work's output, or the message of the
// exception it threw.
constexpr char kOutputFollows = 'R';
constexpr char kExceptionFollows = 'E';

void write_all(int fd, const std::string& bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone or gave up: nobody to tell
    at += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void run_child(const std::function<std::string()>& work, int fd, pid_t parent) {
  // Dies with the server (a server killed mid-call leaves no orphan computing for nobody).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(1);
  // The server's own signal handling (Asio's) is not the child's: Ctrl-C ends both.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  std::string message;
  try {
    message = kOutputFollows + work();
  } catch (const std::exception& e) {
    message = std::string(1, kExceptionFollows) + e.what();
  } catch (...) {
    message = std::string(1, kExceptionFollows) + "unknown exception";
  }
  write_all(fd, message);
  // _exit: no atexit handlers, no flushing of stdio buffers copied from the server.
  ::_exit(0);
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

BoundedCall run_bounded(const std::function<std::string()>& work, double max_seconds) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  BoundedCall call;
  int fds[2];
  if (::pipe(fds) != 0) {
    call.outcome = BoundedCall::Outcome::ended_abnormally;
    call.why = fmt::format("cannot create a pipe: {}", std::strerror(errno));
    return call;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    call.outcome = BoundedCall::Outcome::ended_abnormally;
    call.why = fmt::format("cannot start a process for the call: {}", std::strerror(errno));
    return call;
  }
  if (pid == 0) {
    ::close(fds[0]);
    run_child(work, fds[1], parent);
  }
  ::close(fds[1]);

  // Read as the child writes (a large answer would fill the pipe and block the child), until
  // end of file or the deadline.
  std::string received;
  char buffer[1 << 16];
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(max_seconds));
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline is checked above
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  const int status = wait_for(pid);
  call.seconds = elapsed();

  if (timed_out) {
    call.outcome = BoundedCall::Outcome::timed_out;
    call.why = fmt::format("stopped after {:.1f} s, the limit", max_seconds);
  } else if (WIFSIGNALED(status)) {
    call.outcome = BoundedCall::Outcome::ended_abnormally;
    call.why =
        fmt::format("ended by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    call.outcome = BoundedCall::Outcome::ended_abnormally;
    call.why = fmt::format("ended with exit code {}", WEXITSTATUS(status));
  } else if (received.empty()) {
    call.outcome = BoundedCall::Outcome::ended_abnormally;
    call.why = "ended without an answer";
  } else if (received.front() == kExceptionFollows) {
    call.outcome = BoundedCall::Outcome::ended_abnormally;
    call.why = "internal error: " + received.substr(1);
  } else {
    call.output = received.substr(1);
  }
  return call;
}

}  // namespace fleetsizer::cli
