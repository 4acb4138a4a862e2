#pragma once
// The figures of a run under the names vLLM `bench serve` writes, in one place: the printed report
// and the saved result file both take them from here.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "fleetsizer/bench/load.h"

namespace fleetsizer::bench {

// vLLM's --percentile-metrics (ttft, tpot, itl, e2el, client_queue_time) and
// --metric-percentiles (e.g. 25,50,99): p<word>_<metric>_ms for each pair.
struct PercentileSelection {
  std::vector<std::string> metrics = {"ttft", "tpot", "itl"};
  std::vector<double> percentiles = {99};
};

Result<PercentileSelection> parse_percentile_selection(const std::string& metrics,
                                                       const std::string& percentiles);

// "99", "99.9", "25": as vLLM names the key (an integer without its fraction).
std::string percentile_word(double p);

using MetricValue = std::variant<std::int64_t, double>;
struct NamedMetric {
  std::string key;
  MetricValue value;
};

// duration, completed, failed, total_input_tokens, total_output_tokens, request_throughput,
// request_goodput, output_throughput, total_token_throughput, max_output_tokens_per_s,
// max_concurrent_requests, rtfx (0: no audio), mean/median/std_<m>_ms for ttft, tpot, itl, e2el and
// client_queue_time, p90 and p99 of each (what fleetsizer always reported), and the selected
// p<word>_<m>_ms.
std::vector<NamedMetric> vllm_metrics(const BenchSummary& s, const PercentileSelection& selection);

// One line for a run in which nothing completed, naming the cause: refused connections, no answer
// within the timeout, authentication (HTTP 401/403), rate limiting (429), another status, a broken
// stream. Empty when something completed.
std::string whole_run_failure(const std::vector<RequestSample>& samples, const std::string& where,
                              double timeout_s);

// One line when the server sent more tokens than a request's max_tokens (it ignores the limit, so
// every length-controlled figure would be wrong); empty otherwise.
std::string max_tokens_ignored(const std::vector<RequestSample>& samples);

}  // namespace fleetsizer::bench
