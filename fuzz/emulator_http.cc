// The emulator's HTTP handling end to end, in this process (so the sanitizers and the coverage
// see the server's code): `emulate` runs on a thread on a loopback port, and each input is sent
// as the raw bytes of a connection (request line, headers, body, pipelined requests, junk), the
// client's side then closed. Whatever arrives must be HTTP: a status line, never a 5xx, and an
// answer within the time limit. Every 256th input a well-formed streaming request must still get
// 200 and its [DONE]: the server keeps serving whatever came before.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "fuzz/fuzz_support.h"
#include "http/emulator.h"

namespace {

std::atomic<unsigned short> g_port{0};

void start_server_once() {
  static const bool started = [] {
    std::thread([] {
      fleetsizer::http::EmulatorOptions o;
      o.host = "127.0.0.1";
      o.port = 0;
      o.ttft_ms = 0;  // fixed mode, answers at once: the framing is what is fuzzed
      o.tpot_ms = 0;
      o.max_concurrency = 64;
      o.max_model_len = 2048;  // a stream is at most this many events
      o.on_listening = [](unsigned short port) { g_port = port; };
      auto r = fleetsizer::http::run_emulator(o);
      std::fprintf(stderr, "emulator stopped: %s\n", r ? "" : r.error().message.c_str());
      std::abort();  // the server must never stop on a request
    }).detach();
    while (g_port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return true;
  }();
  (void)started;
}

// Sends `bytes` on a fresh connection, closes the sending side, returns what the server wrote
// before closing. Aborts if nothing ends within 10 s (a hang).
std::string exchange(std::string_view bytes) {
  // libFuzzer's timers interrupt system calls (EINTR): that is retried, never a finding. An
  // interrupted connect() goes on in the background, so a fresh socket is the clean retry.
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) std::abort();
    timeval limit{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(g_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) break;
    const int why = errno;
    ::close(fd);
    fd = -1;
    if (why != EINTR || attempt == 100) {
      std::fprintf(stderr, "connect to the emulator: %s\n", std::strerror(why));
      std::abort();
    }
  }
  // The server may answer and close before reading everything (an oversized header): a failed
  // send is then not a finding.
  for (std::size_t sent = 0; sent < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string got;
  char buf[65536];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      got.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      std::fprintf(stderr, "no end of the answer within 10 s (got %zu bytes)\n", got.size());
      std::abort();
    }
    break;  // closed (or reset after an early answer)
  }
  ::close(fd);
  return got;
}

void check_answer(const std::string& got) {
  if (got.empty()) return;  // closed without an answer: a request cut short by the client
  if (!got.starts_with("HTTP/1.1 ")) {
    std::fprintf(stderr, "not an HTTP answer: [%.200s]\n", got.c_str());
    std::abort();
  }
  // Each answer's status line (pipelined requests get one each); a 5xx is a server fault.
  for (std::size_t at = 0; at != std::string::npos; at = got.find("\r\nHTTP/1.1 ", at + 1)) {
    const std::size_t code = got.find("HTTP/1.1 ", at) + 9;
    if (code < got.size() && got[code] == '5') {
      std::fprintf(stderr, "a 5xx answer: [%.300s]\n", got.c_str() + code - 9);
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  start_server_once();
  check_answer(exchange(fleetsizer::fuzz::as_text(data, size)));
  static unsigned inputs = 0;
  if (++inputs % 256 == 0) {
    const std::string body =
        R"({"model":"fleetsizer-emulated","prompt":"a b c","max_tokens":3,"stream":true})";
    const std::string good =
        "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nConnection: close\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    const std::string got = exchange(good);
    if (!got.starts_with("HTTP/1.1 200") || got.find("data: [DONE]") == std::string::npos) {
      std::fprintf(stderr, "a well-formed request was not answered: [%.300s]\n", got.c_str());
      std::abort();
    }
  }
  return 0;
}
