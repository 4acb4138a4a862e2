#include "fleetsizer/bench/result.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace fleetsizer::bench {
namespace {

constexpr const char* kMetrics[] = {"ttft", "tpot", "itl", "e2el", "client_queue_time"};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string::npos ? text.size() : comma;
    std::string item = text.substr(start, end - start);
    std::erase(item, ' ');
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

const LatencySummary& latency(const BenchSummary& s, const std::string& metric) {
  if (metric == "ttft") return s.ttft_ms;
  if (metric == "tpot") return s.tpot_ms;
  if (metric == "itl") return s.itl_ms;
  if (metric == "e2el") return s.e2el_ms;
  return s.queue_wait_ms;
}

}  // namespace

Result<PercentileSelection> parse_percentile_selection(const std::string& metrics,
                                                       const std::string& percentiles) {
  PercentileSelection sel;
  if (!metrics.empty()) {
    sel.metrics = split(metrics);
    for (const auto& m : sel.metrics)
      if (std::ranges::find_if(kMetrics, [&](const char* k) { return m == k; }) ==
          std::end(kMetrics))
        return fail(fmt::format(
            "--percentile-metrics: unknown metric '{}' (ttft, tpot, itl, e2el, client_queue_time)",
            m));
  }
  sel.percentiles.clear();
  for (const auto& p : split(percentiles)) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || ptr != p.data() + p.size() || !(v > 0 && v < 100))
      return fail(fmt::format(
          "--metric-percentiles: '{}' is not a percentile between 0 and 100 (exclusive)", p));
    sel.percentiles.push_back(v);
  }
  if (sel.percentiles.empty()) return fail("--metric-percentiles: no percentile given");
  return sel;
}

std::string percentile_word(double p) {
  if (p == std::floor(p)) return fmt::format("{}", static_cast<std::int64_t>(p));
  return fmt::format("{}", p);
}

std::vector<NamedMetric> vllm_metrics(const BenchSummary& s, const PercentileSelection& sel) {
  std::vector<NamedMetric> v = {
      {"duration", s.duration_s},
      {"completed", s.completed},
      {"failed", s.failed},
      {"total_input_tokens", s.total_input_tokens},
      {"total_output_tokens", s.total_output_tokens},
      {"request_throughput", s.request_throughput},
      {"request_goodput", s.request_goodput},
      {"output_throughput", s.output_throughput},
      {"total_token_throughput", s.total_token_throughput},
      {"max_output_tokens_per_s", s.max_output_tokens_per_s},
      {"max_concurrent_requests", s.max_concurrent_requests},
      {"rtfx", 0.0},
  };
  for (const char* m : kMetrics) {
    const LatencySummary& l = latency(s, m);
    v.push_back({fmt::format("mean_{}_ms", m), l.mean});
    v.push_back({fmt::format("median_{}_ms", m), l.median});
    v.push_back({fmt::format("std_{}_ms", m), l.std});
    std::vector<double> ps = {90, 99};
    if (std::ranges::find(sel.metrics, std::string(m)) != sel.metrics.end())
      for (double p : sel.percentiles)
        if (std::ranges::find(ps, p) == ps.end()) ps.push_back(p);
    std::ranges::sort(ps);
    for (double p : ps)
      v.push_back({fmt::format("p{}_{}_ms", percentile_word(p), m), l.percentile(p)});
  }
  return v;
}

std::string whole_run_failure(const std::vector<RequestSample>& samples, const std::string& where,
                              double timeout_s) {
  std::int64_t sent = 0;
  const RequestSample* first = nullptr;
  for (const auto& s : samples) {
    if (s.warmup) continue;
    ++sent;
    if (s.ok()) return {};
    if (!first) first = &s;
  }
  if (!first) return {};
  switch (first->failure) {
    case Failure::connect:
      return fmt::format("cannot connect to {}: {} (all {} requests failed)", where, first->error,
                         sent);
    case Failure::timeout:
      return fmt::format("no response from {} within --timeout {} s (all {} requests timed out)",
                         where, timeout_s, sent);
    case Failure::rate_limited:
      return fmt::format("{} rate-limited every request (HTTP 429): {}", where, first->error);
    default:
      break;
  }
  if (first->http_status == 401 || first->http_status == 403)
    return fmt::format(
        "{} refused the credentials (HTTP {}): set OPENAI_API_KEY or --header "
        "Authorization='Bearer ...'",
        where, first->http_status);
  return fmt::format("every request to {} failed: {}: {}", where, failure_name(first->failure),
                     first->error);
}

std::string max_tokens_ignored(const std::vector<RequestSample>& samples) {
  for (const auto& s : samples)
    if (s.ok() && s.max_tokens > 0 && s.output_tokens > s.max_tokens)
      return fmt::format(
          "the server ignores max_tokens: request {} asked for {} tokens and got {}; lengths "
          "cannot be controlled, so no figure of this run is comparable",
          s.index, s.max_tokens, s.output_tokens);
  return {};
}

}  // namespace fleetsizer::bench
