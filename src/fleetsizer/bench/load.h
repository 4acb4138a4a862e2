#pragma once
// The load generator's pure parts: the send schedule (fixed in advance, so a late send is visible
// as the client's own queue wait and never hidden: no coordinated omission), what one request's
// outcome looks like, and the statistics of a run with vLLM `bench serve` names.
//
// Latencies follow vLLM's `bench serve`: TTFT, E2EL and TPOT count from the moment the request is
// *sent*; the time a request waited in the client before it could be sent (a --max-concurrency
// slot, or a client running late against its schedule) is reported on its own as the client queue
// wait, so neither number hides inside the other.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetsizer/targets/slo.h"

namespace fleetsizer::bench {

// Send offsets in seconds from the start: Poisson (burstiness 1) or Gamma gaps with shape
// `burstiness` (vLLM's definition: < 1 burstier, > 1 smoother); rate infinity: all at 0.
std::vector<double> send_schedule(std::int64_t count, double rate, double burstiness,
                                  std::uint64_t seed);

// rate_limited (HTTP 429) is its own kind: a server shedding load is not a broken server.
enum class Failure {
  none,
  connect,
  http_status,
  rate_limited,
  timeout,
  disconnect,
  malformed,
  stopped
};
std::string failure_name(Failure f);

struct RequestSample {
  std::int64_t index = 0;
  bool warmup = false;
  Failure failure = Failure::none;
  std::string error;       // detail for failures (status code, message)
  int http_status = 0;     // of the response, when one came
  double scheduled_s = 0;  // offsets from the run start (steady clock)
  double sent_s = 0;
  // false: never sent (a --duration run ended first); neither sent nor failed in the summary.
  bool sent = true;
  double first_token_s = -1;
  double end_s = -1;
  std::vector<double> chunk_s;     // arrival time of each content chunk
  std::int64_t prompt_tokens = 0;  // usage.prompt_tokens when the server reports it, else planned
  std::int64_t max_tokens = 0;     // asked for
  std::int64_t output_tokens =
      0;  // usage.completion_tokens when the server reports it, else chunks
  std::optional<double> server_first_token_s;  // the emulator's own send time of the first token
  std::optional<double> server_arrival_s;      // the emulator's own arrival time of the request
  bool ok() const { return failure == Failure::none; }
};

// Statistics of one latency, in milliseconds. Percentiles interpolate linearly between order
// statistics, as numpy.percentile (what vLLM reports).
struct LatencySummary {
  double mean = 0, median = 0, std = 0, p90 = 0, p99 = 0;
  std::int64_t n = 0;
  std::vector<double> sorted;  // the values, ascending, for any other percentile
  // pct in [0, 100]; 0 when there are no values (as vLLM's np.percentile(x or 0)).
  double percentile(double pct) const;
};

LatencySummary summarize(std::vector<double> values_ms);

// The value of an SLO target's statistic (mean, p50, ... p99) in a summary.
double statistic(const LatencySummary& l, Percentile p);

struct GoodputTargets {
  std::optional<double> ttft_ms, tpot_ms, e2el_ms;
};

// vLLM's `--goodput ttft:MS tpot:MS e2el:MS`.
Result<GoodputTargets> parse_goodput(const std::vector<std::string>& items);

struct BenchSummary {
  std::int64_t sent = 0, completed = 0, failed = 0;
  std::int64_t not_sent = 0;  // planned but never sent: the run's --duration ended first
  std::vector<std::pair<std::string, std::int64_t>> failures;  // by kind
  double duration_s = 0;
  double target_rate = 0;          // req/s asked for (inf: all at once)
  double achieved_send_rate = 0;   // (sent - 1) / (last send - first send)
  double scheduled_send_rate = 0;  // the same over the planned send times: what the client aimed at
  double max_send_lag_ms = 0;      // how late the client sent against the schedule
  double request_throughput = 0, output_throughput = 0, total_token_throughput = 0,
         request_goodput = 0;
  std::int64_t total_input_tokens = 0, total_output_tokens = 0;
  LatencySummary ttft_ms, tpot_ms, itl_ms, e2el_ms;
  LatencySummary queue_wait_ms;                   // sent - scheduled, completed requests
  std::optional<LatencySummary> timing_error_ms;  // client first-token time - server's, when known
  std::optional<LatencySummary> server_ttft_ms;   // server's first token - its arrival, when known
  // vLLM's peak figures: the most output chunks received in one whole second (counted from the
  // first send), and the most requests in flight at once (send to end, completed requests).
  double max_output_tokens_per_s = 0;
  std::int64_t max_concurrent_requests = 0;
  // A steady-window summary (summarize_window) says which part of the run it measured.
  std::int64_t window_requests = 0;
  double window_s = 0;
};

// The whole run, as vLLM reports it: throughputs are completions over the run's duration (first
// scheduled send to last end).
BenchSummary summarize(const std::vector<RequestSample>& samples, double target_rate,
                       const GoodputTargets& goodput);

// The steady part of a run, for the sweep. Completed requests are ranked by end time and the first
// and last `trim_fraction` of them dropped: the warm-up (the server filling up, completions
// arriving late) and the drain (no arrivals behind the last requests). request_throughput is the
// *achieved* rate: the least-squares slope of completions against time over that window, which
// bursts of simultaneous completions do not bias the way a count over a window edge does.
// Latencies and goodput are over the window's requests; `failed` counts the whole run (a probe
// with a failure does not pass). Falls back to the whole run when the window has < 2 requests.
BenchSummary summarize_window(const std::vector<RequestSample>& samples, double target_rate,
                              const GoodputTargets& goodput, double trim_fraction);

// Every target of the SLO holds on the run, and nothing failed.
bool meets(const BenchSummary& s, const std::vector<SloTarget>& slo);

}  // namespace fleetsizer::bench
