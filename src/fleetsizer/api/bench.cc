#include "fleetsizer/api/bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fleetsizer::api {
namespace {

// One load at `rate` (or the trace), summarized over the whole run or, with `trim`, its steady
// window; an error when the run as a whole failed.
Result<std::pair<bench::BenchSummary, std::vector<bench::RequestSample>>> run_once(
    const BenchRequest& r, const RequestsFn& requests, const LoadFn& load, double rate,
    std::int64_t count, double trim, std::uint64_t seed, const std::string& label) {
  LoadRun run;
  run.label = label;
  if (r.trace) {
    run.schedule = r.trace->offsets_s;
    run.requests = r.trace->requests;
  } else {
    run.warmup = r.warmup;
    run.schedule = bench::send_schedule(count + r.warmup, rate, r.burstiness, seed);
    auto asks = requests(count + r.warmup);
    if (!asks) return fail(asks.error().message);
    run.requests = std::move(*asks);
  }
  auto samples = load(run);
  if (!samples) return fail(samples.error().message);
  if (auto why = bench::whole_run_failure(*samples, r.where, r.timeout_s); !why.empty())
    return fail(why);
  if (auto why = bench::max_tokens_ignored(*samples); !why.empty()) return fail(why);
  const auto summary = trim > 0 ? bench::summarize_window(*samples, rate, r.goodput, trim)
                                : bench::summarize(*samples, rate, r.goodput);
  return std::pair{summary, std::move(*samples)};
}

// An all-at-once run's rate is infinite: null in JSON, "unbounded" in tables (docs/formats.md).
report::Cell rate_cell(double rate) {
  return report::Cell{rate};
}

const bench::LatencySummary& latency_of(const bench::BenchSummary& s, Metric m) {
  return m == Metric::ttft  ? s.ttft_ms
         : m == Metric::e2e ? s.e2el_ms
         : m == Metric::itl ? s.itl_ms
                            : s.tpot_ms;
}

void add_summary(report::Report& rep, const BenchOutput& out) {
  const BenchRequest& r = out.request;
  const bench::BenchSummary& s = out.summary;
  rep.add("model_id", r.model_id);
  rep.add("backend", r.backend);
  rep.add("num_prompts", report::integer(s.sent));  // a sweep probe's own count
  if (s.not_sent > 0) {
    rep.add("not_sent", report::integer(s.not_sent));
    rep.why("not_sent",
            "requests the schedule planned after --duration ended: never sent, so "
            "neither completed nor failed");
  }
  rep.add("request_rate", rate_cell(out.rate), 3);
  rep.add("burstiness", r.burstiness, 2);
  rep.add("max_concurrency",
          r.max_concurrency > 0 ? report::integer(r.max_concurrency) : report::Cell{});
  for (const auto& m : bench::vllm_metrics(s, r.percentiles)) {
    if (m.key == "rtfx") continue;  // audio only
    // A report key's dots are nesting: vLLM's p99.9_ttft_ms is p99_9_ttft_ms here (the result
    // file keeps vLLM's name).
    std::string key = m.key;
    std::ranges::replace(key, '.', '_');
    if (const auto* i = std::get_if<std::int64_t>(&m.value))
      rep.add(key, report::integer(*i));
    else
      rep.add(key, std::get<double>(m.value), m.key.ends_with("_ms") ? 2 : 3);
  }
  for (const auto& [kind, n] : s.failures) rep.add("failures." + kind, report::integer(n));
  rep.add("scheduled_send_rate", s.scheduled_send_rate, 3);
  rep.add("achieved_send_rate", s.achieved_send_rate, 3);
  rep.add("max_send_lag_ms", s.max_send_lag_ms, 3);
  if (s.server_ttft_ms) {
    rep.add("server_ttft_ms.mean", s.server_ttft_ms->mean, 3);
    rep.add("server_ttft_ms.median", s.server_ttft_ms->median, 3);
    rep.add("server_ttft_ms.p99", s.server_ttft_ms->p99, 3);
  }
  if (s.timing_error_ms) {
    rep.add("timing_error_ms.median", s.timing_error_ms->median, 3);
    rep.add("timing_error_ms.p99", s.timing_error_ms->p99, 3);
  }
  rep.why("mean_ttft_ms", "first content chunk minus the send time (as vLLM bench serve)");
  rep.why("mean_client_queue_time_ms",
          "send time minus the scheduled time: waiting for a --max-concurrency slot, or a client "
          "running late");
  rep.why("server_ttft_ms.median",
          "the emulator's first-token send time minus its arrival time of the request");
  rep.why(
      "mean_tpot_ms",
      "(last chunk - first chunk) / (output tokens - 1), output tokens from the server's usage");
  rep.why("timing_error_ms.median",
          "client's first-chunk time minus the emulator's own first-token send time");
  rep.why("achieved_send_rate", "(requests sent - 1) / (last send - first send)");
}

}  // namespace

double TimedTrace::rate() const {
  if (offsets_s.size() < 2) return INFINITY;
  const double span = offsets_s.back() - offsets_s.front();
  return span > 0 ? static_cast<double>(offsets_s.size() - 1) / span : INFINITY;
}

std::int64_t probe_requests(double rate, double window_s, std::int64_t window_requests,
                            std::int64_t num_prompts) {
  const double want = std::isfinite(rate)
                          ? std::max(static_cast<double>(window_requests), rate * window_s)
                          : static_cast<double>(window_requests);
  const auto n = static_cast<std::int64_t>(std::ceil(want / (1 - 2 * kSweepTrim)));
  return std::isfinite(rate) ? n : std::max(n, num_prompts);
}

Result<BenchOutput> run_bench(const BenchRequest& r, const RequestsFn& requests, const LoadFn& load,
                              const std::function<void(const std::string&)>& log) {
  BenchOutput out;
  out.request = r;
  if (!r.sweep) {
    out.rate = r.trace ? r.trace->rate() : r.request_rate;
    auto one = run_once(r, requests, load, out.rate, r.num_prompts, 0, r.seed, "bench");
    if (!one) return fail(one.error().message);
    out.summary = std::move(one->first);
    out.samples = std::move(one->second);
    return out;
  }
  if (r.trace) return fail("--sweep offers its own rates: it takes no --trace");
  if (r.sweep_window_s < 0 || r.sweep_window_requests < 2)
    return fail("--sweep-window-s must be >= 0 and --sweep-window-requests >= 2");
  std::uint64_t seed = r.seed;
  auto measure = [&](double rate, int number) -> Result<bench::BenchSummary> {
    // The probe's number against the stated maximum: the sweep's own progress (the load's
    // progress line shows this probe's requests and ETA under the same label).
    const std::string probe =
        fmt::format("sweep probe {} of at most {}", number, r.sweep_options.max_probes);
    const std::string label = std::isfinite(rate) ? fmt::format("{} at {:.3g} req/s", probe, rate)
                                                  : fmt::format("{}, all at once", probe);
    auto one =
        run_once(r, requests, load, rate,
                 probe_requests(rate, r.sweep_window_s, r.sweep_window_requests, r.num_prompts),
                 kSweepTrim, seed++, label);
    if (!one) return fail(one.error().message);
    const bench::BenchSummary& s = one->first;
    if (log)
      log(
          fmt::format("[{}] achieved {:.3g} req/s over {:.1f} s ({} requests), TTFT p99 {:.0f} "
                      "ms, TPOT p99 {:.1f} ms, failed {}: {}",
                      label, s.request_throughput, s.window_s, s.window_requests, s.ttft_ms.p99,
                      s.tpot_ms.p99, s.failed, bench::meets(s, r.slo) ? "pass" : "fail"));
    return s;
  };
  auto result = bench::sweep(measure, r.slo, r.sweep_options);
  if (!result) return fail(result.error().message);
  out.rate = result->offered_rate;
  out.summary = result->at_q;
  out.sweep = std::move(*result);
  return out;
}

report::Report bench_report(const BenchOutput& out) {
  report::Report rep;
  const BenchRequest& r = out.request;
  const bench::BenchSummary& sum = out.summary;
  if (!out.sweep) {
    rep.headline = fmt::format(
        "{} of {} requests completed: {:.1f} output tok/s, {:.2f} req/s; TTFT p99 {:.1f} ms, TPOT "
        "p99 {:.2f} ms",
        sum.completed, sum.sent, sum.output_throughput, sum.request_throughput, sum.ttft_ms.p99,
        sum.tpot_ms.p99);
    rep.title = fmt::format("Benchmark of {}", r.where);
    add_summary(rep, out);
    return rep;
  }
  const bench::SweepResult& sw = *out.sweep;
  rep.headline = sw.found ? fmt::format(
                                "Highest sustained rate meeting the SLO: {:.3f} req/s "
                                "(achieved {:.3f} req/s, {} probes)",
                                sw.q, sw.achieved_rate, sw.probes.size())
                          : fmt::format("No probed rate met the SLO ({} probes, stop: {})",
                                        sw.probes.size(), bench::sweep_stop_name(sw.stop));
  rep.title =
      fmt::format("Sweep: highest sustained request rate meeting the SLO against {}", r.where);
  rep.add("sweep.found", sw.found);
  rep.add("sweep.q", sw.q, 3);
  rep.add("sweep.offered_rate", rate_cell(sw.offered_rate), 3);
  rep.add("sweep.achieved_rate", sw.achieved_rate, 3);
  rep.add("sweep.stop", bench::sweep_stop_name(sw.stop));
  rep.add("sweep.precision", r.sweep_options.precision, 3);
  rep.add("sweep.probes_run", report::integer(static_cast<std::int64_t>(sw.probes.size())));
  add_summary(rep, out);
  report::Table t{"sweep.probes", "Probes (steady window of each)", {}, {}};
  t.columns = {{"probe", "#", 0},
               {"offered_rate", "offered req/s", 3},
               {"achieved_rate", "achieved req/s", 3},
               {"pass", "meets SLO", 0},
               {"saturated", "saturated", 0},
               {"window_requests", "window reqs", 0},
               {"window_s", "window s", 2},
               {"median_ttft_ms", "TTFT p50", 1},
               {"p99_ttft_ms", "TTFT p99", 1},
               {"median_tpot_ms", "TPOT p50", 2},
               {"p99_tpot_ms", "TPOT p99", 2},
               {"mean_e2el_ms", "E2EL mean", 1},
               {"p99_e2el_ms", "E2EL p99", 1},
               {"output_throughput", "output tok/s", 1},
               {"failed", "failed", 0}};
  for (const auto& target : r.slo)
    t.columns.push_back({curve_column(target), format_slo(target), 1});
  for (const auto& p : sw.probes) {
    const bench::BenchSummary& s = p.summary;
    std::vector<report::Cell> row{report::integer(p.number),
                                  rate_cell(p.offered_rate),
                                  p.achieved_rate,
                                  p.pass,
                                  p.saturated,
                                  report::integer(s.window_requests),
                                  s.window_s,
                                  s.ttft_ms.median,
                                  s.ttft_ms.p99,
                                  s.tpot_ms.median,
                                  s.tpot_ms.p99,
                                  s.e2el_ms.mean,
                                  s.e2el_ms.p99,
                                  s.output_throughput,
                                  report::integer(s.failed)};
    for (const auto& target : r.slo)
      row.emplace_back(bench::statistic(latency_of(s, target.metric), target.percentile));
    t.rows.push_back(std::move(row));
  }
  rep.tables.push_back(std::move(t));
  rep.why("sweep.q",
          "achieved rate (least-squares slope of completions over the steady window: 10% of "
          "completions trimmed at each end) of the best probe meeting every target; bracket "
          "doubles, then bisects the offered rate until the bracket is within "
          "--sweep-precision, or a passing probe saturates (achieved < 80% of offered)");
  return rep;
}

Result<std::string> sweep_measurement_csv(const BenchOutput& out, const std::string& gpu, int tp,
                                          const std::string& engine) {
  if (!out.sweep || !out.sweep->found)
    return fail("--measurement-out: the sweep found no rate meeting the SLO");
  const auto& s = out.summary;
  const double n = static_cast<double>(std::max<std::int64_t>(1, s.window_requests));
  return fmt::format(
      "model,gpu,num_gpus,tp,weights_dtype,kv_dtype,engine,isl,osl,concurrency,request_rate,"
      "output_tok_s,total_tok_s,ttft_ms,tpot_ms,source\n"
      "{},{},{},{},,,{},{:.6g},{:.6g},,{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},fleetsizer bench "
      "--sweep against {} (achieved rate of the steady window)\n",
      out.request.model_id, gpu, tp, tp, engine, static_cast<double>(s.total_input_tokens) / n,
      static_cast<double>(s.total_output_tokens) / n, out.sweep->q, s.output_throughput,
      s.total_token_throughput, s.ttft_ms.median, s.tpot_ms.median, out.request.where);
}

}  // namespace fleetsizer::api
