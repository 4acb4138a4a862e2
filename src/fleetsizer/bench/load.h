#pragma once
// The load generator's pure parts: the send schedule (fixed in advance, so latency can be measured
// from the *scheduled* send time and client-side queueing is never hidden: no coordinated
// omission), what one request's outcome looks like, and the statistics of a run with vLLM
// `bench serve` names.
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

enum class Failure { none, connect, http_status, timeout, disconnect, malformed, stopped };
std::string failure_name(Failure f);

struct RequestSample {
  std::int64_t index = 0;
  bool warmup = false;
  Failure failure = Failure::none;
  std::string error;       // detail for failures (status code, message)
  double scheduled_s = 0;  // offsets from the run start (steady clock)
  double sent_s = 0;
  double first_token_s = -1;
  double end_s = -1;
  std::vector<double> chunk_s;  // arrival time of each content chunk
  std::int64_t prompt_tokens = 0;
  std::int64_t output_tokens =
      0;  // usage.completion_tokens when the server reports it, else chunks
  std::optional<double> server_first_token_s;  // the emulator's own send time of the first token
  bool ok() const { return failure == Failure::none; }
};

struct LatencySummary {
  double mean = 0, median = 0, std = 0, p90 = 0, p99 = 0;
  std::int64_t n = 0;
};

LatencySummary summarize(std::vector<double> values_ms);

struct GoodputTargets {
  std::optional<double> ttft_ms, tpot_ms, e2el_ms;
};

// vLLM's `--goodput ttft:MS tpot:MS e2el:MS`.
Result<GoodputTargets> parse_goodput(const std::vector<std::string>& items);

struct BenchSummary {
  std::int64_t sent = 0, completed = 0, failed = 0;
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
  std::optional<LatencySummary> timing_error_ms;  // client first-token time - server's, when known
};

BenchSummary summarize(const std::vector<RequestSample>& samples, double target_rate,
                       const GoodputTargets& goodput);

// Every target of the SLO holds on the run, and nothing failed.
bool meets(const BenchSummary& s, const std::vector<SloTarget>& slo);

}  // namespace fleetsizer::bench
