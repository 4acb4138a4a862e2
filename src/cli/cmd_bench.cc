#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "fleetsizer/bench/sweep.h"
#include "http/client.h"
#include "io/output.h"
#include "io/trace_file.h"

namespace fleetsizer::cli {
namespace {

struct BenchFlags {
  std::string base_url = "http://127.0.0.1:8000";
  std::string endpoint = "/v1/completions";
  std::string model = "default";
  std::int64_t num_prompts = 200;
  std::string request_rate = "inf";
  double burstiness = 1.0;
  int max_concurrency = 0;
  std::int64_t input_len = 128, output_len = 128;
  std::vector<std::string> goodput;
  std::vector<std::string> slo;
  std::string save_result;
  int warmup = 0;
  double timeout_s = 60;
  double duration_s = 0;
  std::uint64_t seed = 0;
  bool sweep = false;
  double sweep_start = 0;  // 0: bracket from an all-at-once probe
  int sweep_repeats = 1;
  double sweep_precision = 0.03;
  int sweep_max_probes = 12;
  double sweep_window_s = 3;
  std::int64_t sweep_window_requests = 50;
  std::string measurement_out, gpu, engine = "generic";
  std::string lengths_from;
  bool scrape_metrics = false;
  int tp = 1;
};

Result<http::ClientOptions> client_options(const BenchFlags& f) {
  http::ClientOptions o;
  std::string url = f.base_url;
  if (url.starts_with("https://"))
    return fail("--base-url: https is not supported; use plain http on a trusted network");
  if (url.starts_with("http://")) url = url.substr(7);
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (auto slash = url.find('/'); slash != std::string::npos) url = url.substr(0, slash);
  const auto colon = url.rfind(':');
  if (colon == std::string::npos)
    return fail(fmt::format("--base-url '{}': expected http://HOST:PORT", f.base_url));
  o.host = url.substr(0, colon);
  if (o.host == "localhost") o.host = "127.0.0.1";
  int port = 0;
  try {
    port = std::stoi(url.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port <= 0 || port > 65535) return fail(fmt::format("--base-url '{}': bad port", f.base_url));
  o.port = static_cast<unsigned short>(port);
  if (f.endpoint == "/v1/chat/completions")
    o.chat = true;
  else if (f.endpoint != "/v1/completions")
    return fail(
        fmt::format("--endpoint '{}': /v1/completions or /v1/chat/completions", f.endpoint));
  o.model = f.model;
  if (f.input_len < 1 || f.output_len < 1)
    return fail("--random-input-len and --random-output-len must be >= 1");
  o.isl = f.input_len;
  o.osl = f.output_len;
  if (!(f.timeout_s > 0)) return fail("--timeout must be a positive number of seconds");
  o.timeout_s = f.timeout_s;
  return o;
}

Result<double> parse_rate(const std::string& text) {
  if (text == "inf") return INFINITY;
  try {
    std::size_t used = 0;
    const double r = std::stod(text, &used);
    if (used == text.size() && r > 0 && std::isfinite(r)) return r;
  } catch (...) {
  }
  return fail(fmt::format("--request-rate must be a positive number or inf, got '{}'", text));
}

// One run at `rate`; an error when nothing at all got through (dead port, silent server).
// The sweep's steady window drops this share of completions at each end (warm-up and drain).
constexpr double kSweepTrim = 0.1;

// One run at `rate` of `count` requests (plus warm-up); `trim` > 0 summarizes the steady window
// only. An error when nothing at all got through (dead port, silent server).
Result<std::pair<bench::BenchSummary, std::vector<bench::RequestSample>>> run_once(
    const BenchFlags& f, const http::ClientOptions& client, double rate, std::int64_t count,
    double trim, const bench::GoodputTargets& goodput, std::uint64_t seed, const std::string& label,
    const std::vector<std::pair<std::int64_t, std::int64_t>>& lengths,
    http::ServerMetrics& server) {
  http::LoadPlan plan;
  plan.schedule = bench::send_schedule(count + f.warmup, rate, f.burstiness, seed);
  plan.max_concurrency = f.max_concurrency;
  plan.warmup = f.warmup;
  plan.duration_s = f.duration_s;
  // Lengths in trace order, cycled when the trace is shorter than the run.
  for (std::size_t i = 0; !lengths.empty() && i < plan.schedule.size(); ++i)
    plan.lengths.push_back(lengths[i % lengths.size()]);
  bool printed = false;
  std::function<void(const http::Progress&)> on_progress;
  if (::isatty(STDERR_FILENO)) {
    on_progress = [&](const http::Progress& p) {
      std::fprintf(
          stderr,
          "\r[%s] %.1f s: sent %lld (%.1f req/s), done %lld, failed %lld, TTFT p99 %.0f ms   ",
          label.c_str(), p.elapsed_s, static_cast<long long>(p.sent),
          p.elapsed_s > 0 ? static_cast<double>(p.sent) / p.elapsed_s : 0.0,
          static_cast<long long>(p.completed), static_cast<long long>(p.failed), p.p99_ttft_ms);
      printed = true;
    };
  }
  auto samples = http::run_load(client, plan, on_progress, f.scrape_metrics ? &server : nullptr);
  if (printed) std::fprintf(stderr, "\n");
  if (!samples) return fail(samples.error().message);
  const auto summary = trim > 0 ? bench::summarize_window(*samples, rate, goodput, trim)
                                : bench::summarize(*samples, rate, goodput);
  if (summary.completed == 0 && summary.sent > 0) {
    std::string first_error;
    bench::Failure kind = bench::Failure::none;
    for (const auto& s : *samples)
      if (!s.ok()) {
        first_error = s.error;
        kind = s.failure;
        break;
      }
    const std::string where = fmt::format("{}:{}", client.host, client.port);
    if (kind == bench::Failure::connect)
      return fail(fmt::format("cannot connect to {}: {} (all {} requests failed)", where,
                              first_error, summary.sent));
    if (kind == bench::Failure::timeout)
      return fail(
          fmt::format("no response from {} within --timeout {} s (all {} requests timed out)",
                      where, client.timeout_s, summary.sent));
    return fail(fmt::format("every request to {} failed: {}: {}", where, bench::failure_name(kind),
                            first_error));
  }
  return std::pair{summary, std::move(*samples)};
}

void add_latency(report::Report& rep, const std::string& name, const bench::LatencySummary& l) {
  rep.add("mean_" + name + "_ms", l.mean, 2);
  rep.add("median_" + name + "_ms", l.median, 2);
  rep.add("std_" + name + "_ms", l.std, 2);
  rep.add("p90_" + name + "_ms", l.p90, 2);
  rep.add("p99_" + name + "_ms", l.p99, 2);
}

void add_summary(report::Report& rep, const bench::BenchSummary& s, const BenchFlags& f,
                 double rate) {
  rep.add("model_id", f.model);
  rep.add("backend", std::string(f.endpoint == "/v1/chat/completions" ? "openai-chat" : "openai"));
  rep.add("num_prompts", report::integer(s.sent));  // a sweep probe's own count
  rep.add("request_rate",
          std::isfinite(rate) ? report::Cell{rate} : report::Cell{std::string("inf")}, 3);
  rep.add("burstiness", f.burstiness, 2);
  rep.add("max_concurrency",
          f.max_concurrency > 0 ? report::integer(f.max_concurrency) : report::Cell{});
  rep.add("duration", s.duration_s, 3);
  rep.add("completed", report::integer(s.completed));
  rep.add("failed", report::integer(s.failed));
  for (const auto& [kind, n] : s.failures) rep.add("failures." + kind, report::integer(n));
  rep.add("total_input_tokens", report::integer(s.total_input_tokens));
  rep.add("total_output_tokens", report::integer(s.total_output_tokens));
  rep.add("request_throughput", s.request_throughput, 3);
  rep.add("request_goodput", s.request_goodput, 3);
  rep.add("output_throughput", s.output_throughput, 1);
  rep.add("total_token_throughput", s.total_token_throughput, 1);
  rep.add("scheduled_send_rate", s.scheduled_send_rate, 3);
  rep.add("achieved_send_rate", s.achieved_send_rate, 3);
  rep.add("max_send_lag_ms", s.max_send_lag_ms, 3);
  add_latency(rep, "ttft", s.ttft_ms);
  add_latency(rep, "tpot", s.tpot_ms);
  add_latency(rep, "itl", s.itl_ms);
  add_latency(rep, "e2el", s.e2el_ms);
  add_latency(rep, "client_queue_time", s.queue_wait_ms);
  rep.add("max_output_tokens_per_s", s.max_output_tokens_per_s, 1);
  rep.add("max_concurrent_requests", report::integer(s.max_concurrent_requests));
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

void setup_bench(CLI::App& app, Invocation& inv) {
  auto f = std::make_shared<BenchFlags>();
  app.option_defaults()->always_capture_default();  // --help shows every default
  app.add_option("--base-url", f->base_url, "Server base URL, http://HOST:PORT");
  app.add_option("--endpoint", f->endpoint, "/v1/completions (default) or /v1/chat/completions");
  app.add_option("--model", f->model, "Model name sent in requests");
  app.add_option("--num-prompts", f->num_prompts, "Requests to measure");
  app.add_option("--request-rate", f->request_rate,
                 "Requests per second (Poisson/Gamma), or inf: all at once");
  app.add_option("--burstiness", f->burstiness, "Gamma shape of the gaps: 1 Poisson, < 1 burstier");
  app.add_option("--max-concurrency", f->max_concurrency,
                 "Cap on in-flight requests (closed loop with rate inf)");
  app.add_option("--random-input-len,--isl", f->input_len, "Prompt tokens (synthesized)");
  app.add_option("--random-output-len,--osl", f->output_len,
                 "Output tokens (max_tokens with ignore_eos)");
  app.add_option("--goodput", f->goodput, "Per-request SLO for goodput: ttft:MS tpot:MS e2el:MS");
  app.add_option("--slo", f->slo, "Fleet SLO for --sweep: ttft:p99=2000 (repeatable)");
  app.add_option("--save-result,--result-filename", f->save_result,
                 "Write the result JSON (vLLM field names)");
  app.add_option("--num-warmups", f->warmup, "Warm-up requests sent first and left out");
  app.add_option("--timeout", f->timeout_s, "Per-request timeout, seconds");
  app.add_option("--duration", f->duration_s, "Time bound of a run, seconds (0: none)");
  app.add_option("--seed", f->seed, "Seed of the send schedule");
  app.add_flag("--scrape-metrics", f->scrape_metrics,
               "Poll the server's Prometheus /metrics (running, waiting, KV usage) during the run");
  app.add_option("--lengths-from", f->lengths_from,
                 "Take each request's prompt and output lengths from this trace (Azure CSV or "
                 "Mooncake JSONL)");
  app.add_flag("--sweep", f->sweep, "Find the highest request rate meeting --slo");
  app.add_option("--sweep-start", f->sweep_start,
                 "First offered rate of the sweep (0: the achieved rate of a first probe that "
                 "sends --num-prompts at once)");
  app.add_option("--sweep-repeats", f->sweep_repeats,
                 "Runs per probe; a probe passes only if all do");
  app.add_option("--sweep-precision", f->sweep_precision,
                 "Stop when the passing and failing offered rates are within this fraction");
  app.add_option("--sweep-max-probes", f->sweep_max_probes, "Stop after this many probes");
  app.add_option("--sweep-window-s", f->sweep_window_s,
                 "Each probe's steady window lasts at least this long (s)");
  app.add_option("--sweep-window-requests", f->sweep_window_requests,
                 "Each probe's steady window holds at least this many requests");
  app.add_option("--measurement-out", f->measurement_out,
                 "Write the sweep's q (achieved rate) as a measurement CSV row");
  app.add_option("--gpu", f->gpu, "GPU of the server, for the measurement row");
  app.add_option("--tp", f->tp, "Tensor parallelism of the server, for the measurement row");
  app.add_option("--engine", f->engine, "Engine of the server, for the measurement row");
  inv.run = [f]() -> Result<report::Report> {
    auto client = client_options(*f);
    if (!client) return fail(client.error().message);
    auto rate = parse_rate(f->request_rate);
    if (!rate) return fail(rate.error().message);
    auto goodput = bench::parse_goodput(f->goodput);
    if (!goodput) return fail(goodput.error().message);
    if (f->num_prompts < 1) return fail("--num-prompts must be >= 1");
    if (!(f->burstiness > 0)) return fail("--burstiness must be positive");
    if (f->max_concurrency < 0 || f->warmup < 0)
      return fail("--max-concurrency and --num-warmups must be >= 0");
    // Prompt and output lengths of real requests, in trace order.
    std::vector<std::pair<std::int64_t, std::int64_t>> lengths;
    if (!f->lengths_from.empty()) {
      auto all = io::read_trace_lengths(f->lengths_from);
      if (!all) return fail(all.error().message);
      lengths = std::move(*all);
    }
    report::Report rep;
    if (f->sweep) {
      std::vector<SloTarget> slo;
      for (const auto& t : f->slo) {
        auto parsed = parse_slo(t);
        if (!parsed) return fail(parsed.error().message);
        slo.push_back(*parsed);
      }
      std::uint64_t run_seed = f->seed;
      // Each probe is sized so that its steady window (the completions left after trimming
      // kSweepTrim at each end) holds at least --sweep-window-requests and --sweep-window-s.
      auto probe_count = [&](double r) {
        const double want =
            std::isfinite(r)
                ? std::max(static_cast<double>(f->sweep_window_requests), r * f->sweep_window_s)
                : static_cast<double>(f->sweep_window_requests);
        const auto n = static_cast<std::int64_t>(std::ceil(want / (1 - 2 * kSweepTrim)));
        return std::isfinite(r) ? n : std::max(n, f->num_prompts);
      };
      auto measure = [&](double r, int number) -> Result<bench::BenchSummary> {
        http::ServerMetrics ignored;
        const std::string label = std::isfinite(r)
                                      ? fmt::format("sweep probe {} at {:.3g} req/s", number, r)
                                      : fmt::format("sweep probe {}, all at once", number);
        auto one = run_once(*f, *client, r, probe_count(r), kSweepTrim, *goodput, run_seed++, label,
                            lengths, ignored);
        if (!one) return fail(one.error().message);
        const bench::BenchSummary& s = one->first;
        std::fprintf(stderr,
                     "[%s] achieved %.3g req/s over %.1f s (%lld requests), TTFT p99 %.0f ms, "
                     "TPOT p99 %.1f ms, failed %lld: %s\n",
                     label.c_str(), s.request_throughput, s.window_s,
                     static_cast<long long>(s.window_requests), s.ttft_ms.p99, s.tpot_ms.p99,
                     static_cast<long long>(s.failed), bench::meets(s, slo) ? "pass" : "fail");
        return s;
      };
      bench::SweepOptions so;
      if (f->sweep_start > 0) so.start_rate = f->sweep_start;
      so.repeats = f->sweep_repeats;
      so.precision = f->sweep_precision;
      so.max_probes = f->sweep_max_probes;
      if (f->sweep_window_s < 0 || f->sweep_window_requests < 2)
        return fail("--sweep-window-s must be >= 0 and --sweep-window-requests >= 2");
      auto result = bench::sweep(measure, slo, so);
      if (!result) return fail(result.error().message);
      rep.title = fmt::format("Sweep: highest sustained request rate meeting the SLO against {}",
                              f->base_url);
      rep.add("sweep.found", result->found);
      rep.add("sweep.q", result->q, 3);
      rep.add("sweep.offered_rate",
              std::isfinite(result->offered_rate) ? report::Cell{result->offered_rate}
                                                  : report::Cell{std::string("inf")},
              3);
      rep.add("sweep.achieved_rate", result->achieved_rate, 3);
      rep.add("sweep.stop", bench::sweep_stop_name(result->stop));
      rep.add("sweep.precision", so.precision, 3);
      rep.add("sweep.probes_run",
              report::integer(static_cast<std::int64_t>(result->probes.size())));
      add_summary(rep, result->at_q, *f, result->offered_rate);
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
                   {"p99_e2el_ms", "E2EL p99", 1},
                   {"output_throughput", "output tok/s", 1},
                   {"failed", "failed", 0}};
      for (const auto& slo_target : slo)
        t.columns.push_back({curve_column(slo_target), format_slo(slo_target), 1});
      for (const auto& p : result->probes) {
        const bench::BenchSummary& s = p.summary;
        std::vector<report::Cell> row{report::integer(p.number),
                                      std::isfinite(p.offered_rate)
                                          ? report::Cell{p.offered_rate}
                                          : report::Cell{std::string("inf")},
                                      p.achieved_rate,
                                      p.pass,
                                      p.saturated,
                                      report::integer(s.window_requests),
                                      s.window_s,
                                      s.ttft_ms.median,
                                      s.ttft_ms.p99,
                                      s.tpot_ms.median,
                                      s.tpot_ms.p99,
                                      s.e2el_ms.p99,
                                      s.output_throughput,
                                      report::integer(s.failed)};
        for (const auto& slo_target : slo) {
          const bench::LatencySummary& l = slo_target.metric == Metric::ttft  ? s.ttft_ms
                                           : slo_target.metric == Metric::e2e ? s.e2el_ms
                                           : slo_target.metric == Metric::itl ? s.itl_ms
                                                                              : s.tpot_ms;
          row.emplace_back(bench::statistic(l, slo_target.percentile));
        }
        t.rows.push_back(std::move(row));
      }
      rep.tables.push_back(std::move(t));
      rep.why("sweep.q",
              "achieved rate (least-squares slope of completions over the steady window: 10% of "
              "completions trimmed at each end) of the best probe meeting every target; bracket "
              "doubles, then bisects the offered rate until the bracket is within "
              "--sweep-precision, or a passing probe saturates (achieved < 80% of offered)");
      if (!f->measurement_out.empty()) {
        if (!result->found)
          return fail("--measurement-out: the sweep found no rate meeting the SLO");
        const auto& s = result->at_q;
        const std::string csv = fmt::format(
            "model,gpu,num_gpus,tp,weights_dtype,kv_dtype,engine,isl,osl,concurrency,request_rate,"
            "output_tok_s,"
            "total_tok_s,ttft_ms,tpot_ms,source\n{},{},{},{},,,{},{},{},,{:.6g},{:.6g},{:.6g},{:."
            "6g},{:.6g},fleetsizer bench --sweep "
            "against {} (achieved rate of the steady window)\n",
            f->model, f->gpu, f->tp, f->tp, f->engine, f->input_len, f->output_len, result->q,
            s.output_throughput, s.total_token_throughput, s.ttft_ms.median, s.tpot_ms.median,
            f->base_url);
        if (auto w = io::write_file_atomically(f->measurement_out, csv); !w)
          return fail(w.error().message);
      }
      return rep;
    }
    http::ServerMetrics server;
    auto one = run_once(*f, *client, *rate, f->num_prompts, 0, *goodput, f->seed, "bench", lengths,
                        server);
    if (!one) return fail(one.error().message);
    rep.title = fmt::format("Benchmark of {}{}", f->base_url, f->endpoint);
    add_summary(rep, one->first, *f, *rate);
    if (f->scrape_metrics) {
      // The server's own view during the run (Prometheus /metrics, vLLM gauge names).
      rep.add("server.samples", report::integer(server.samples));
      rep.add("server.max_running", server.max_running, 1);
      rep.add("server.mean_running", server.mean_running, 2);
      rep.add("server.max_waiting", server.max_waiting, 1);
      rep.add("server.mean_waiting", server.mean_waiting, 2);
      rep.add("server.max_kv_usage", server.max_kv_usage, 4);
      rep.add("server.mean_kv_usage", server.mean_kv_usage, 4);
      if (!server.error.empty()) rep.add("server.scrape_error", server.error);
      rep.why("server.mean_running",
              "mean of vllm:num_requests_running over GET /metrics polls every 0.25 s");
    }
    if (!f->save_result.empty()) {
      // vLLM's result file: the summary plus per-request lists.
      nlohmann::json j = nlohmann::json::parse(report::render(rep, report::Format::json, false));
      const std::time_t now = std::time(nullptr);
      char date[32];
      std::strftime(date, sizeof date, "%Y%m%d-%H%M%S", std::gmtime(&now));
      j["date"] = date;
      j["tokenizer_id"] = f->model;
      nlohmann::json input_lens = nlohmann::json::array(), output_lens = nlohmann::json::array(),
                     ttfts = nlohmann::json::array(), itls = nlohmann::json::array(),
                     errors = nlohmann::json::array();
      for (const auto& s : one->second) {
        if (s.warmup) continue;
        input_lens.push_back(s.prompt_tokens);
        output_lens.push_back(s.ok() ? s.output_tokens : 0);
        ttfts.push_back(s.ok() ? s.first_token_s - s.sent_s : 0.0);
        nlohmann::json gaps = nlohmann::json::array();
        for (std::size_t i = 1; i < s.chunk_s.size(); ++i)
          gaps.push_back(s.chunk_s[i] - s.chunk_s[i - 1]);
        itls.push_back(gaps);
        errors.push_back(s.ok() ? "" : bench::failure_name(s.failure) + ": " + s.error);
      }
      j["input_lens"] = input_lens;
      j["output_lens"] = output_lens;
      j["ttfts"] = ttfts;
      j["itls"] = itls;
      j["errors"] = errors;
      if (auto w = io::write_file_atomically(f->save_result, j.dump(2) + "\n"); !w)
        return fail(w.error().message);
    }
    return rep;
  };
}

}  // namespace fleetsizer::cli
