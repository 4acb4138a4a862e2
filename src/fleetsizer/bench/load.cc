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
    case Failure::rate_limited:
      return "rate_limited";
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

double LatencySummary::percentile(double pct) const {
  if (sorted.empty()) return 0;
  const double pos = std::clamp(pct, 0.0, 100.0) / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(sorted.size() - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
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
  s.sorted = std::move(v);
  s.median = s.percentile(50);
  s.p90 = s.percentile(90);
  s.p99 = s.percentile(99);
  return s;
}

double statistic(const LatencySummary& l, Percentile p) {
  switch (p) {
    case Percentile::mean:
      return l.mean;
    case Percentile::p50:
      return l.median;
    case Percentile::p90:
      return l.p90;
    case Percentile::p95:
      return l.percentile(95);
    case Percentile::p99:
      return l.p99;
  }
  return l.mean;
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

namespace {

// The per-request latencies of a set of completed requests, and their totals.
struct Collected {
  std::vector<double> ttft, tpot, itl, e2e, queue, timing, server_ttft;
  std::int64_t good = 0, input_tokens = 0, output_tokens = 0;
};

Collected collect(const std::vector<const RequestSample*>& done, const GoodputTargets& goodput) {
  Collected c;
  for (const RequestSample* r : done) {
    c.input_tokens += r->prompt_tokens;
    c.output_tokens += r->output_tokens;
    // From the send time, as vLLM; the wait before the send is the queue wait, reported apart.
    const double t_ttft = (r->first_token_s - r->sent_s) * 1e3;
    const double t_e2e = (r->end_s - r->sent_s) * 1e3;
    c.ttft.push_back(t_ttft);
    c.e2e.push_back(t_e2e);
    c.queue.push_back((r->sent_s - r->scheduled_s) * 1e3);
    double t_tpot = 0;  // vLLM: a one-token output has TPOT 0 for goodput and no TPOT sample
    if (r->output_tokens > 1) {
      t_tpot = (r->end_s - r->first_token_s) * 1e3 / static_cast<double>(r->output_tokens - 1);
      c.tpot.push_back(t_tpot);
    }
    for (std::size_t i = 1; i < r->chunk_s.size(); ++i)
      c.itl.push_back((r->chunk_s[i] - r->chunk_s[i - 1]) * 1e3);
    if (r->server_first_token_s)
      c.timing.push_back((r->first_token_s - *r->server_first_token_s) * 1e3);
    if (r->server_first_token_s && r->server_arrival_s)
      c.server_ttft.push_back((*r->server_first_token_s - *r->server_arrival_s) * 1e3);
    const bool is_good = (!goodput.ttft_ms || t_ttft <= *goodput.ttft_ms) &&
                         (!goodput.tpot_ms || t_tpot <= *goodput.tpot_ms) &&
                         (!goodput.e2el_ms || t_e2e <= *goodput.e2el_ms);
    if (is_good) ++c.good;
  }
  return c;
}

void fill_latencies(BenchSummary& s, Collected& c) {
  s.ttft_ms = summarize(std::move(c.ttft));
  s.tpot_ms = summarize(std::move(c.tpot));
  s.itl_ms = summarize(std::move(c.itl));
  s.e2el_ms = summarize(std::move(c.e2e));
  s.queue_wait_ms = summarize(std::move(c.queue));
  if (!c.timing.empty()) s.timing_error_ms = summarize(std::move(c.timing));
  if (!c.server_ttft.empty()) s.server_ttft_ms = summarize(std::move(c.server_ttft));
}

// vLLM's peaks: output chunks per whole second since the first send, and requests in flight.
void fill_peaks(BenchSummary& s, const std::vector<const RequestSample*>& done) {
  if (done.empty()) return;
  double start = INFINITY;
  for (const RequestSample* r : done) start = std::min(start, r->sent_s);
  std::map<std::int64_t, std::int64_t> per_second;
  std::vector<std::pair<double, int>> events;
  for (const RequestSample* r : done) {
    for (double t : r->chunk_s) ++per_second[static_cast<std::int64_t>(t - start)];
    events.emplace_back(r->sent_s, 1);
    events.emplace_back(r->end_s, -1);
  }
  for (const auto& [second, n] : per_second)
    s.max_output_tokens_per_s = std::max(s.max_output_tokens_per_s, static_cast<double>(n));
  // Half-open intervals [send, end): an end at the same instant as a send is counted first.
  std::ranges::sort(events);
  std::int64_t now = 0;
  for (const auto& [t, d] : events) {
    now += d;
    s.max_concurrent_requests = std::max(s.max_concurrent_requests, now);
  }
}

// Counts sends and failures of the run (warm-up excluded) and its send-rate figures.
std::vector<const RequestSample*> count_run(BenchSummary& s,
                                            const std::vector<RequestSample>& samples,
                                            double* first_sched, double* last_end) {
  std::map<std::string, std::int64_t> failures;
  double last_sched = 0, first_sent = INFINITY, last_sent = 0;
  *first_sched = INFINITY;
  *last_end = 0;
  std::vector<const RequestSample*> done;
  for (const auto& r : samples) {
    if (r.warmup) continue;
    if (!r.sent) {
      ++s.not_sent;
      continue;
    }
    ++s.sent;
    *first_sched = std::min(*first_sched, r.scheduled_s);
    last_sched = std::max(last_sched, r.scheduled_s);
    first_sent = std::min(first_sent, r.sent_s);
    last_sent = std::max(last_sent, r.sent_s);
    s.max_send_lag_ms = std::max(s.max_send_lag_ms, (r.sent_s - r.scheduled_s) * 1e3);
    *last_end = std::max(*last_end, r.end_s);
    if (!r.ok()) {
      ++s.failed;
      ++failures[failure_name(r.failure)];
      continue;
    }
    ++s.completed;
    done.push_back(&r);
  }
  for (const auto& [k, v] : failures) s.failures.emplace_back(k, v);
  s.achieved_send_rate =
      last_sent > first_sent ? static_cast<double>(s.sent - 1) / (last_sent - first_sent) : 0;
  s.scheduled_send_rate =
      last_sched > *first_sched ? static_cast<double>(s.sent - 1) / (last_sched - *first_sched) : 0;
  return done;
}

}  // namespace

BenchSummary summarize(const std::vector<RequestSample>& samples, double target_rate,
                       const GoodputTargets& goodput) {
  BenchSummary s;
  s.target_rate = target_rate;
  double first_sched = 0, last_end = 0;
  const auto done = count_run(s, samples, &first_sched, &last_end);
  Collected c = collect(done, goodput);
  s.total_input_tokens = c.input_tokens;
  s.total_output_tokens = c.output_tokens;
  s.duration_s = s.sent > 0 ? std::max(last_end - first_sched, 1e-9) : 0;
  if (s.duration_s > 0) {
    s.request_throughput = static_cast<double>(s.completed) / s.duration_s;
    s.output_throughput = static_cast<double>(c.output_tokens) / s.duration_s;
    s.total_token_throughput = static_cast<double>(c.input_tokens + c.output_tokens) / s.duration_s;
    s.request_goodput = static_cast<double>(c.good) / s.duration_s;
  }
  fill_latencies(s, c);
  fill_peaks(s, done);
  s.window_requests = s.completed;
  s.window_s = s.duration_s;
  return s;
}

BenchSummary summarize_window(const std::vector<RequestSample>& samples, double target_rate,
                              const GoodputTargets& goodput, double trim_fraction) {
  BenchSummary s;
  s.target_rate = target_rate;
  double first_sched = 0, last_end = 0;
  auto done = count_run(s, samples, &first_sched, &last_end);
  std::ranges::sort(done, {}, [](const RequestSample* r) { return r->end_s; });
  const auto trim = static_cast<std::size_t>(
      std::floor(static_cast<double>(done.size()) * std::clamp(trim_fraction, 0.0, 0.45)));
  std::vector<const RequestSample*> window(done.begin() + static_cast<std::ptrdiff_t>(trim),
                                           done.end() - static_cast<std::ptrdiff_t>(trim));
  // Least-squares slope of the completion count (rank) against the completion time.
  double slope = 0;
  if (window.size() >= 2) {
    const double n = static_cast<double>(window.size());
    double mean_t = 0;
    for (const RequestSample* r : window) mean_t += r->end_s / n;
    const double mean_k = (n - 1) / 2;
    double sxy = 0, sxx = 0;
    for (std::size_t k = 0; k < window.size(); ++k) {
      const double dt = window[k]->end_s - mean_t;
      sxy += dt * (static_cast<double>(k) - mean_k);
      sxx += dt * dt;
    }
    if (sxx > 0) slope = sxy / sxx;
  }
  if (!(slope > 0)) return summarize(samples, target_rate, goodput);
  Collected c = collect(window, goodput);
  const double n = static_cast<double>(window.size());
  s.total_input_tokens = c.input_tokens;
  s.total_output_tokens = c.output_tokens;
  s.window_requests = static_cast<std::int64_t>(window.size());
  s.window_s = window.back()->end_s - window.front()->end_s;
  s.duration_s = s.window_s;
  s.request_throughput = slope;
  s.output_throughput = slope * static_cast<double>(c.output_tokens) / n;
  s.total_token_throughput = slope * static_cast<double>(c.input_tokens + c.output_tokens) / n;
  s.request_goodput = slope * static_cast<double>(c.good) / n;
  fill_latencies(s, c);
  fill_peaks(s, window);
  return s;
}

bool meets(const BenchSummary& s, const std::vector<SloTarget>& slo) {
  if (s.completed == 0 || s.failed > 0) return false;
  for (const auto& t : slo) {
    const LatencySummary& l = t.metric == Metric::ttft  ? s.ttft_ms
                              : t.metric == Metric::e2e ? s.e2el_ms
                              : t.metric == Metric::itl ? s.itl_ms
                                                        : s.tpot_ms;
    if (statistic(l, t.percentile) > t.ms) return false;
  }
  return true;
}

}  // namespace fleetsizer::bench
