#pragma once
// The load generator's wire: HTTP/1.1 keep-alive connections streaming Server-Sent Events from
// /v1/completions or /v1/chat/completions, all on one Boost.Asio thread, so thousands of streams
// cost one socket each and no thread. Requests are sent on a schedule fixed in advance; every
// latency is measured from the scheduled time.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/bench/dataset.h"
#include "fleetsizer/bench/load.h"
#include "fleetsizer/error.h"

namespace fleetsizer::http {

struct ClientOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8000;
  bool chat = false;  // /v1/chat/completions instead of /v1/completions
  std::string model = "default";
  std::int64_t isl = 128;  // prompt synthesized as this many one-token words
  std::int64_t osl = 128;  // max_tokens
  // vLLM's ignore_eos (with min_tokens = max_tokens) so the server generates all of them; off,
  // neither is sent (endpoints other than vLLM may reject them).
  bool ignore_eos = true;
  double timeout_s = 60;  // per request
  bool tls = false;       // https
  bool insecure = false;  // https without certificate verification (a self-signed test server)
  std::string ca_file;    // https: trust this PEM file instead of the system's CA store
  // Sent with every request, e.g. {"Authorization", "Bearer ..."}; names and values are checked
  // for CR/LF by whoever builds them (bench's --header).
  std::vector<std::pair<std::string, std::string>> headers;
};

struct LoadPlan {
  std::vector<double> schedule;  // send offsets (s); its size is the request count
  int max_concurrency = 0;       // 0: unlimited (open loop); > 0 caps in-flight requests
  int warmup = 0;         // the first `warmup` requests are marked and left out of statistics
  double duration_s = 0;  // stop sending and cancel in-flight requests after this long (0: none)
  // Per-request prompt and lengths (a dataset, a trace); empty: every request uses isl/osl.
  std::vector<bench::RequestSpec> requests;
};

struct Progress {
  std::int64_t sent = 0, completed = 0, failed = 0;
  double elapsed_s = 0;
  double p99_ttft_ms = 0;  // of the requests completed so far
};

// What the server's Prometheus /metrics said during the run (vLLM's gauge names), when scraped.
struct ServerMetrics {
  int samples = 0;
  double max_running = 0, mean_running = 0;
  double max_waiting = 0, mean_waiting = 0;
  double max_kv_usage = 0, mean_kv_usage = 0;  // fraction of KV blocks in use
  std::string error;                           // why scraping failed, if it did
};

// Sum of every sample of a gauge in Prometheus text format (all label sets), if present.
std::optional<double> prometheus_gauge(const std::string& text, const std::string& name);

// The model ids GET /v1/models lists, in its order (vLLM benchmarks the first by default).
Result<std::vector<std::string>> served_models(const ClientOptions& options);

// Runs the plan; when `metrics` is given, also polls GET /metrics every `scrape_interval_s`.
Result<std::vector<bench::RequestSample>> run_load(
    const ClientOptions& options, const LoadPlan& plan,
    const std::function<void(const Progress&)>& on_progress = {}, ServerMetrics* metrics = nullptr,
    double scrape_interval_s = 0.25);

// Server-Sent Events framing: feed bytes, get the `data:` payloads of complete events.
class SseDecoder {
 public:
  template <class F>
  void feed(const char* data, std::size_t n, F&& on_event) {
    buffer_.append(data, n);
    std::size_t start = 0;
    for (;;) {
      std::size_t end = buffer_.find("\n\n", start);
      std::size_t skip = 2;
      const std::size_t crlf = buffer_.find("\r\n\r\n", start);
      if (crlf != std::string::npos && (end == std::string::npos || crlf < end)) {
        end = crlf;
        skip = 4;
      }
      if (end == std::string::npos) break;
      std::string payload;
      std::size_t line_start = start;
      while (line_start < end) {
        std::size_t line_end = buffer_.find('\n', line_start);
        if (line_end == std::string::npos || line_end > end) line_end = end;
        std::string_view line(buffer_.data() + line_start, line_end - line_start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.starts_with("data:")) {
          line.remove_prefix(5);
          if (line.starts_with(' ')) line.remove_prefix(1);
          if (!payload.empty()) payload += '\n';
          payload += line;
        }
        line_start = line_end + 1;
      }
      on_event(payload);
      start = end + skip;
    }
    buffer_.erase(0, start);
  }

 private:
  std::string buffer_;
};

}  // namespace fleetsizer::http
