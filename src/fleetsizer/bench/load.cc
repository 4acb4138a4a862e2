#include "fleetsizer/bench/load.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

namespace fleetsizer::bench {

std::vector<double> send_schedule(std::int64_t count, double rate, double burstiness,
                                  std::uint64_t seed) {
  std::vector<double> t(static_cast<std::size_t>(std::max<std::int64_t>(0, count)), 0.0);
  if (!std::isfinite(rate)) return t;
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> gap(burstiness, 1.0 / (rate * burstiness));
  for (std::size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] + gap(rng);
  return t;
}

std::string failure_name(Failure f) {
  switch (f) {
    case Failure::none:
      return "none";
    case Failure::connect:
      return "connect";
    case Failure::http_status:
      return "http_status";
    case Failure::timeout:
      return "timeout";
    case Failure::disconnect:
      return "disconnect";
    case Failure::malformed:
      return "malformed";
    case Failure::stopped:
      return "stopped";
  }
  return "?";
}

LatencySummary summarize(std::vector<double> v) {
  LatencySummary s;
  s.n = static_cast<std::int64_t>(v.size());
  if (v.empty()) return s;
  std::ranges::sort(v);
  const double n = static_cast<double>(v.size());
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double sq = 0;
  for (double x : v) sq += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(sq / n);
  // Linear interpolation between order statistics, as numpy.percentile (what vLLM reports).
  auto q = [&](double p) {
    const double pos = p * (n - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(v.size() - 1, lo + 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
  };
  s.median = q(0.5);
  s.p90 = q(0.9);
  s.p99 = q(0.99);
  return s;
}

Result<GoodputTargets> parse_goodput(const std::vector<std::string>& items) {
  GoodputTargets g;
  for (const auto& item : items) {
    const auto colon = item.find(':');
    if (colon == std::string::npos)
      return fail(fmt::format("--goodput '{}': expected ttft:MS, tpot:MS or e2el:MS", item));
    const std::string key = item.substr(0, colon), value = item.substr(colon + 1);
    double ms = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec != std::errc() || ptr != value.data() + value.size() || !(ms > 0) || !std::isfinite(ms))
      return fail(fmt::format(
          "--goodput '{}': the target must be a positive number of milliseconds", item));
    if (key == "ttft")
      g.ttft_ms = ms;
    else if (key == "tpot")
      g.tpot_ms = ms;
    else if (key == "e2el")
      g.e2el_ms = ms;
    else
      return fail(fmt::format("--goodput '{}': unknown metric '{}' (ttft, tpot, e2el)", item, key));
  }
  return g;
}

BenchSummary summarize(const std::vector<RequestSample>& samples, double target_rate,
                       const GoodputTargets& goodput) {
  BenchSummary s;
  s.target_rate = target_rate;
  std::vector<double> ttft, tpot, itl, e2e, timing;
  std::map<std::string, std::int64_t> failures;
  double first_sched = INFINITY, last_sched = 0, last_end = 0, first_sent = INFINITY, last_sent = 0;
  std::int64_t good = 0;
  for (const auto& r : samples) {
    if (r.warmup) continue;
    ++s.sent;
    first_sched = std::min(first_sched, r.scheduled_s);
    last_sched = std::max(last_sched, r.scheduled_s);
    first_sent = std::min(first_sent, r.sent_s);
    last_sent = std::max(last_sent, r.sent_s);
    s.max_send_lag_ms = std::max(s.max_send_lag_ms, (r.sent_s - r.scheduled_s) * 1e3);
    if (!r.ok()) {
      ++s.failed;
      ++failures[failure_name(r.failure)];
      last_end = std::max(last_end, r.end_s);
      continue;
    }
    ++s.completed;
    last_end = std::max(last_end, r.end_s);
    s.total_input_tokens += r.prompt_tokens;
    s.total_output_tokens += r.output_tokens;
    // Measured from the scheduled send time: a late send is the client's queueing, and counts.
    const double t_ttft = (r.first_token_s - r.scheduled_s) * 1e3;
    const double t_e2e = (r.end_s - r.scheduled_s) * 1e3;
    ttft.push_back(t_ttft);
    e2e.push_back(t_e2e);
    double t_tpot = 0;
    if (r.output_tokens > 1) {
      t_tpot = (r.end_s - r.first_token_s) * 1e3 / static_cast<double>(r.output_tokens - 1);
      tpot.push_back(t_tpot);
    }
    for (std::size_t i = 1; i < r.chunk_s.size(); ++i)
      itl.push_back((r.chunk_s[i] - r.chunk_s[i - 1]) * 1e3);
    if (r.server_first_token_s) timing.push_back((r.first_token_s - *r.server_first_token_s) * 1e3);
    const bool is_good = (!goodput.ttft_ms || t_ttft <= *goodput.ttft_ms) &&
                         (!goodput.tpot_ms || t_tpot <= *goodput.tpot_ms) &&
                         (!goodput.e2el_ms || t_e2e <= *goodput.e2el_ms);
    if (is_good) ++good;
  }
  for (const auto& [k, v] : failures) s.failures.emplace_back(k, v);
  s.duration_s = s.sent > 0 ? std::max(last_end - first_sched, 1e-9) : 0;
  if (s.duration_s > 0) {
    s.request_throughput = static_cast<double>(s.completed) / s.duration_s;
    s.output_throughput = static_cast<double>(s.total_output_tokens) / s.duration_s;
    s.total_token_throughput =
        static_cast<double>(s.total_input_tokens + s.total_output_tokens) / s.duration_s;
    s.request_goodput = static_cast<double>(good) / s.duration_s;
  }
  s.achieved_send_rate =
      last_sent > first_sent ? static_cast<double>(s.sent - 1) / (last_sent - first_sent) : 0;
  s.scheduled_send_rate =
      last_sched > first_sched ? static_cast<double>(s.sent - 1) / (last_sched - first_sched) : 0;
  s.ttft_ms = summarize(ttft);
  s.tpot_ms = summarize(tpot);
  s.itl_ms = summarize(itl);
  s.e2el_ms = summarize(e2e);
  if (!timing.empty()) s.timing_error_ms = summarize(timing);
  return s;
}

bool meets(const BenchSummary& s, const std::vector<SloTarget>& slo) {
  if (s.completed == 0 || s.failed > 0) return false;
  for (const auto& t : slo) {
    const LatencySummary& l = t.metric == Metric::ttft  ? s.ttft_ms
                              : t.metric == Metric::e2e ? s.e2el_ms
                              : t.metric == Metric::itl ? s.itl_ms
                                                        : s.tpot_ms;
    double v = l.mean;
    switch (t.percentile) {
      case Percentile::p50:
        v = l.median;
        break;
      case Percentile::p90:
        v = l.p90;
        break;
      case Percentile::p95:
        v = l.p90 + (l.p99 - l.p90) * (5.0 / 9.0);
        break;
      case Percentile::p99:
        v = l.p99;
        break;
      case Percentile::mean:
        break;
    }
    if (v > t.ms) return false;
  }
  return true;
}

}  // namespace fleetsizer::bench
